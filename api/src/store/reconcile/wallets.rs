//! Wallets: each balance against the sum of its ledger.

use std::collections::{BTreeMap, BTreeSet};

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use futures::TryStreamExt;
use shared::DriftKind;

use super::fixes::Fix;
use super::{Finding, Tally, read_all, read_in};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::indexes::{LEDGER, WALLETS};

fn integer(value: Option<&Bson>) -> i64 {
    match value {
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Int32(n)) => i64::from(*n),
        _ => 0,
    }
}

/// A wallet's balance (`None` without a wallet document) against its
/// ledger's sum.
fn check(user: ObjectId, balance: Option<i64>, ledger: i64) -> Vec<Finding> {
    match balance {
        Some(balance) if balance == ledger => Vec::new(),
        Some(balance) => vec![Finding::new(
            DriftKind::WalletBalance,
            format!("the wallet holds {balance} points but its ledger sums to {ledger}"),
            // A ledger summing below zero is wrong at its source.
            (ledger >= 0).then_some(Fix::Balance {
                user,
                balance: ledger,
            }),
        )],
        None if ledger == 0 => Vec::new(),
        None => vec![Finding::new(
            DriftKind::WalletBalance,
            format!("user {user} has ledger entries summing to {ledger} but no wallet"),
            None,
        )],
    }
}

impl Store {
    pub(super) async fn reconcile_wallets(&self, tally: &mut Tally) -> Result<(), ApiError> {
        let wallets: Vec<Document> = read_all(self, WALLETS, doc! {}).await?;
        let sums: Vec<Document> = self
            .collection::<Document>(LEDGER)
            .aggregate(vec![
                doc! { "$group": { "_id": "$user_id", "sum": { "$sum": "$amount" } } },
            ])
            .await?
            .try_collect()
            .await?;
        tally.checked.wallets += wallets.len() as u64;
        let mut balances: BTreeMap<ObjectId, (Option<i64>, i64)> = BTreeMap::new();
        for wallet in &wallets {
            if let Ok(user) = wallet.get_object_id("_id") {
                balances.entry(user).or_default().0 = Some(integer(wallet.get("balance")));
            }
        }
        for sum in &sums {
            if let Ok(user) = sum.get_object_id("_id") {
                balances.entry(user).or_default().1 = integer(sum.get("sum"));
            }
        }
        let suspects: BTreeSet<ObjectId> = balances
            .iter()
            .filter(|(user, (balance, ledger))| !check(**user, *balance, *ledger).is_empty())
            .map(|(user, _)| *user)
            .collect();
        for user in suspects {
            let (findings, repaired) = self.look_at_wallet(user, tally.repair).await?;
            tally.add("wallet", user, findings, repaired);
        }
        Ok(())
    }

    async fn look_at_wallet(
        &self,
        user: ObjectId,
        repair: bool,
    ) -> Result<(Vec<Finding>, bool), ApiError> {
        let store = self.clone();
        self.transaction(async move |session| {
            let wallet: Vec<Document> =
                read_in(&store, session, WALLETS, doc! { "_id": user }).await?;
            let entries: Vec<Document> =
                read_in(&store, session, LEDGER, doc! { "user_id": user }).await?;
            let ledger = entries.iter().map(|e| integer(e.get("amount"))).sum();
            let balance = wallet.first().map(|w| integer(w.get("balance")));
            let findings = check(user, balance, ledger);
            if repair {
                super::repair(&store, session, &findings).await?;
            }
            Ok((findings, repair))
        })
        .await
    }
}
