//! Secrets the instances share, made once by whichever asks first.

use bson::{Document, doc};

use super::Store;
use super::indexes::SECRETS;
use crate::error::{ApiError, is_duplicate_key};

impl Store {
    /// The 32-byte secret `name`: made at random by the first instance to
    /// ask, then the same for every instance.
    pub async fn shared_secret(&self, name: &str) -> Result<Vec<u8>, ApiError> {
        let fresh: [u8; 32] = rand::random();
        let secrets = self.collection::<Document>(SECRETS);
        let upsert = secrets
            .update_one(
                doc! { "_id": name },
                doc! { "$setOnInsert": { "key": bson::Binary {
                    subtype: bson::spec::BinarySubtype::Generic,
                    bytes: fresh.to_vec(),
                } } },
            )
            .upsert(true)
            .await;
        match upsert {
            Ok(_) => {}
            // Two instances inserted at once; the other's key stands.
            Err(e) if is_duplicate_key(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let stored = secrets
            .find_one(doc! { "_id": name })
            .await?
            .ok_or_else(|| ApiError::Internal(format!("secret {name} vanished")))?;
        match stored.get("key") {
            Some(bson::Bson::Binary(b)) => Ok(b.bytes.clone()),
            _ => Err(ApiError::Internal(format!("secret {name} is not binary"))),
        }
    }
}
