//! The checklist items of a site and how the tool items are offered.

use super::item_base_rate;
use super::rng::Rng;
use super::ITEMS;

/// A checklist item, as an index into [`ITEMS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum It {
    Tel,
    Mail,
    Klag,
    Ansoka,
    Andra,
    Handl,
    Tjanster,
    Larm,
    Las,
    Natt,
    Avgift,
    Rakna,
    Pres,
    Valja,
    Jamfor,
    Plan,
    Kont,
    Kperson,
    Forenklad,
    Flex,
    Dag,
    Korttid,
}

impl It {
    /// Every item, in checklist order.
    pub(crate) const ALL: [It; 22] = [
        It::Tel,
        It::Mail,
        It::Klag,
        It::Ansoka,
        It::Andra,
        It::Handl,
        It::Tjanster,
        It::Larm,
        It::Las,
        It::Natt,
        It::Avgift,
        It::Rakna,
        It::Pres,
        It::Valja,
        It::Jamfor,
        It::Plan,
        It::Kont,
        It::Kperson,
        It::Forenklad,
        It::Flex,
        It::Dag,
        It::Korttid,
    ];

    /// The checklist id.
    pub(crate) fn id(self) -> &'static str {
        ITEMS[self as usize]
    }
}

/// Which items a site has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Has(pub [bool; 22]);

impl Has {
    pub(crate) fn get(self, it: It) -> bool {
        self.0[it as usize]
    }

    pub(crate) fn any(self, its: &[It]) -> bool {
        its.iter().any(|&i| self.get(i))
    }
}

/// How a present fee calculator is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RaknaMode {
    OwnForm,
    EService,
    VendorLink,
    VendorFrame,
}

/// How a present comparison service is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JamforMode {
    Aldreguiden,
    OldLink,
    Own,
}

/// Draws the items of one municipality.
pub(crate) fn draw_items(r: &mut Rng) -> Has {
    let mut has = Has::default();
    for it in It::ALL {
        let p = item_base_rate(it.id()).unwrap_or(0.5);
        has.0[it as usize] = r.chance(p);
    }
    // A site with a calculator always states its fees as well.
    if has.get(It::Rakna) {
        has.0[It::Avgift as usize] = true;
    }
    has
}
