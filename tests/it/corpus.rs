// placeholder: the broken-file corpus test is being written
