//! Reports for admins, read with aggregation pipelines that start from
//! indexed fields.

pub(crate) mod days;
mod live;
mod occupancy;
mod rollup;
mod sales;

use bson::Document;
use shared::{PerformanceSales, ShowSales};

pub use occupancy::OccupancyFilter;
pub use rollup::{OCCUPANCY_DAYS, OCCUPANCY_MARKS, seal_after};
pub use sales::{MAX_PERFORMANCES, SalesFilter};

/// A count or sum a pipeline returned, whatever number type it came as.
fn count(doc: &Document, field: &str) -> u64 {
    match doc.get(field) {
        Some(bson::Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(bson::Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        Some(bson::Bson::Double(n)) if *n >= 0.0 => n.round() as u64,
        _ => 0,
    }
}

fn narrow(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Sums per show, most revenue first (then by title).
fn by_show(rows: &[PerformanceSales]) -> Vec<ShowSales> {
    let mut shows: Vec<ShowSales> = Vec::new();
    for row in rows {
        let show = match shows.iter_mut().find(|s| s.show_id == row.show_id) {
            Some(show) => show,
            None => {
                shows.push(ShowSales {
                    show_id: row.show_id.clone(),
                    show_title: row.show_title.clone(),
                    performances: 0,
                    seats: 0,
                    sold: 0,
                    held: 0,
                    free: 0,
                    revenue: 0,
                    refunded: 0,
                });
                let last = shows.len() - 1;
                &mut shows[last]
            }
        };
        show.performances += 1;
        show.seats += row.seats;
        show.sold += row.sold;
        show.held += row.held;
        show.free += row.free;
        show.revenue += row.revenue;
        show.refunded += row.refunded;
    }
    shows.sort_by(|a, b| {
        b.revenue
            .cmp(&a.revenue)
            .then_with(|| a.show_title.cmp(&b.show_title))
    });
    shows
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn row(show: &str, sold: u32, revenue: u64) -> PerformanceSales {
        PerformanceSales {
            performance_id: "p".to_owned().into(),
            show_id: show.to_owned().into(),
            show_title: show.to_uppercase(),
            venue_name: "v".into(),
            starts_at: Utc::now(),
            time_zone: "Asia/Seoul".into(),
            seats: 10,
            sold,
            held: 1,
            free: 9 - sold,
            revenue,
            refunded: 0,
        }
    }

    #[test]
    fn shows_sum_their_performances_most_revenue_first() {
        let shows = by_show(&[row("a", 2, 20), row("b", 5, 50), row("a", 3, 40)]);
        assert_eq!(shows.len(), 2);
        assert_eq!((shows[0].show_title.as_str(), shows[0].revenue), ("A", 60));
        assert_eq!(
            (shows[0].performances, shows[0].sold, shows[0].seats),
            (2, 5, 20)
        );
        assert_eq!(shows[1].revenue, 50);
    }
}
