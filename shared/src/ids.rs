//! Identifier newtypes, so a room id can never be passed where a user id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-fA-F]{24}$"))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// A user's id: 24 hexadecimal characters.
    UserId
);
id_type!(
    /// A room's id: 24 hexadecimal characters.
    RoomId
);
id_type!(
    /// A reservation's id: 24 hexadecimal characters.
    ReservationId
);
id_type!(
    /// A venue's id: 24 hexadecimal characters.
    VenueId
);
id_type!(
    /// A show's id: 24 hexadecimal characters.
    ShowId
);
id_type!(
    /// A performance's id: 24 hexadecimal characters.
    PerformanceId
);
id_type!(
    /// A seat hold's id: 24 hexadecimal characters.
    HoldId
);
id_type!(
    /// A booking's id: 24 hexadecimal characters.
    BookingId
);
