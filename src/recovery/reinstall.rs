//! `reinstall`: a member reinstalls the app by hand at the DR site.
//! Applies with a DR site; loses the data since the last backup before the
//! app broke (everything without a backup), like a restore.

use crate::engine::Engine;
use crate::metrics::DataLoss;
use crate::model::AppId;

/// Whether a reinstall can start now.
pub(crate) fn applicable(e: &Engine<'_>) -> bool {
    e.st.dr_site.is_some()
}

/// The data a reinstall loses: as much as a restore.
pub(crate) fn data_loss(e: &Engine<'_>, a: AppId) -> DataLoss {
    super::restore::data_loss(e, a)
}
