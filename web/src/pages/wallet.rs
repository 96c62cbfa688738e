//! The points wallet: the balance, charging it, and the ledger.

use leptos::prelude::*;
use shared::{ChargeWallet, LedgerEntry, LedgerKind, PageQuery, Wallet};

use crate::api::{self, ApiError, IdempotencyKey};
use crate::components::{ErrorNotice, FieldError, PagedList, error_fallback, invalid};
use crate::i18n::{Texts, use_i18n};
use crate::limits::use_limits;
use crate::numbers;
use crate::session::RequireUser;
use crate::time;

/// Amounts the quick buttons fill in.
const QUICK: [i64; 3] = [10_000, 50_000, 100_000];

/// The amount typed, or why it cannot be charged. `max` is the server's
/// largest charge, when known; otherwise the API checks it.
fn parse_amount(
    t: &Texts,
    text: &str,
    max: Option<i64>,
    lang: crate::i18n::Lang,
) -> Result<i64, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::local("amount", t.amount_required));
    }
    let amount: i64 = text
        .parse()
        .map_err(|_| ApiError::local("amount", t.amount_whole))?;
    match max {
        Some(max) if !(1..=max).contains(&amount) => {
            let max = numbers::number(max, lang);
            Err(ApiError::local("amount", (t.amount_range)(&max)))
        }
        None if amount < 1 => Err(ApiError::local("amount", t.amount_positive)),
        _ => Ok(amount),
    }
}

#[component]
pub fn WalletPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t().wallet_title}</h1>
        <RequireUser>
            <WalletView />
        </RequireUser>
    }
}

#[component]
fn WalletView() -> impl IntoView {
    let i18n = use_i18n();
    // Bumped by a charge: the balance and the ledger reload.
    let version = RwSignal::new(0u32);
    let wallet = LocalResource::new(move || {
        version.track();
        api::wallet()
    });
    let fetch = move |cursor: Option<String>| {
        version.track();
        api::ledger(&PageQuery {
            limit: Some(20),
            cursor,
        })
    };
    view! {
        <div class="wallet-layout">
            <section class="card balance-card" aria-labelledby="balance-title">
                <h2 id="balance-title">{move || i18n.t().balance}</h2>
                <Transition fallback=|| view! { <p class="big-number">"…"</p> }>
                    <ErrorBoundary fallback=error_fallback>
                        {move || wallet.get().map(|r| r.map(|w| view! { <Balance w /> }))}
                    </ErrorBoundary>
                </Transition>
            </section>
            <section class="card" aria-labelledby="charge-title">
                <h2 id="charge-title">{move || i18n.t().charge_title}</h2>
                <ChargeForm version />
            </section>
        </div>
        <section aria-labelledby="ledger-title" class="ledger">
            <h2 id="ledger-title">{move || i18n.t().ledger_title}</h2>
            <div class="card flush">
                <PagedList fetch render=ledger_table empty=Signal::derive(move || i18n.t().no_ledger) />
            </div>
        </section>
    }
}

#[component]
fn Balance(w: Wallet) -> impl IntoView {
    let i18n = use_i18n();
    let zone = time::browser_zone();
    view! {
        <p class="big-number" id="wallet-balance">{move || numbers::points(w.balance, i18n.lang())}</p>
        {w.updated_at.map(|at| view! {
            <p class="muted small">{move || i18n.t().last_change} ": " {move || time::format_date_time(at, &zone, i18n.lang())}</p>
        })}
    }
}

#[component]
fn ChargeForm(version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let limits = use_limits();
    let max = move || limits.get().map(|l| l.max_charge);
    let amount = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<(i64, Wallet)>);
    // A new amount is a new action; the same amount retried keeps its key,
    // so a double click or a retry after a lost answer charges once.
    let key = RwSignal::new(IdempotencyKey::new());
    let sent = StoredValue::new(0i64);
    let charge = Action::new_local(move |amount: &i64| {
        sent.set_value(*amount);
        api::charge_wallet(&ChargeWallet { amount: *amount }, &key.get_untracked())
    });
    Effect::new(move || match charge.value().get() {
        Some(Ok(wallet)) => {
            done.set(Some((sent.get_value(), wallet)));
            amount.set(String::new());
            key.set(IdempotencyKey::new());
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let set_amount = move |text: String| {
        amount.set(text);
        key.set(IdempotencyKey::new());
        error.set(None);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        match parse_amount(i18n.t(), &amount.get_untracked(), max(), i18n.lang()) {
            Ok(n) => {
                error.set(None);
                charge.dispatch(n);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let err = Signal::derive(move || error.get());
    let general = move || error.get().filter(|e| !e.is_for("amount"));
    let lang = move || i18n.lang();
    view! {
        <form id="charge-form" on:submit=submit novalidate>
            <div class="field">
                <label for="charge-amount">{move || i18n.t().amount}</label>
                <input id="charge-amount" type="number" inputmode="numeric" min="1" max=move || max().map(|m| m.to_string())
                    step="1" prop:value=move || amount.get() aria-invalid=invalid(err, "amount")
                    aria-describedby="amount-hint amount-error"
                    on:input=move |ev| set_amount(event_target_value(&ev)) />
                <p class="hint" id="amount-hint">{move || max().map(|m| (i18n.t().amount_hint)(&numbers::number(m, lang())))}</p>
                <FieldError error=err field="amount" />
            </div>
            <div class="actions quick">
                {QUICK.into_iter().map(|n| view! {
                    <button type="button" class="secondary chip-button" on:click=move |_| set_amount(n.to_string())>
                        {move || format!("+{}", numbers::number(n, lang()))}
                    </button>
                }).collect_view()}
            </div>
            {move || general().map(|error| view! { <ErrorNotice error /> })}
            {move || done.get().map(|(added, wallet)| view! {
                <p class="notice success" role="status" id="charged">
                    {move || (i18n.t().charged)(&numbers::points(added, lang()), &numbers::points(wallet.balance, lang()))}
                </p>
            })}
            <button type="submit" class="primary wide" id="charge-submit" disabled=move || charge.pending().get()>
                {move || if charge.pending().get() { i18n.t().charging } else { i18n.t().charge }}
            </button>
        </form>
    }
}

fn kind_label(t: &Texts, kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Charge => t.ledger_charge,
        LedgerKind::Payment => t.ledger_payment,
        LedgerKind::Refund => t.ledger_refund,
    }
}

fn ledger_table(entries: Vec<LedgerEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let zone = StoredValue::new(time::browser_zone());
    view! {
        <table class="list" id="ledger">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t().when}</th>
                    <th scope="col">{move || i18n.t().kind}</th>
                    <th scope="col" class="number">{move || i18n.t().change}</th>
                    <th scope="col" class="number">{move || i18n.t().balance_after}</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|e| {
                    let sign = if e.amount < 0 { "number debit" } else { "number credit" };
                    let kind = match e.kind {
                        LedgerKind::Charge => "charge",
                        LedgerKind::Payment => "payment",
                        LedgerKind::Refund => "refund",
                    };
                    view! {
                        <tr data-kind=kind>
                            <td>{move || zone.with_value(|z| time::format_date_time(e.created_at, z, i18n.lang()))}</td>
                            <td>{move || kind_label(i18n.t(), e.kind)}</td>
                            <td class=sign>{move || numbers::signed(e.amount, i18n.lang())}</td>
                            <td class="number">{move || numbers::number(e.balance_after, i18n.lang())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
