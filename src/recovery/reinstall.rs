//! `reinstall`: a member reinstalls the app by hand at the DR site.
//! Applies with a DR site; loses the data since the last backup before the
//! app broke (everything without a backup), like a restore.

use super::{Decider, Recovery};
use crate::metrics::DataLoss;
use crate::model::AppId;

/// Whether a reinstall can start now.
pub(super) fn applicable<D: Decider>(e: &Recovery<'_, '_, D>) -> bool {
    e.st.dr_site.is_some()
}

/// The data a reinstall loses: as much as a restore.
pub(super) fn data_loss<D: Decider>(e: &Recovery<'_, '_, D>, a: AppId) -> DataLoss {
    super::restore::data_loss(e, a)
}
