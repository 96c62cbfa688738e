//! Generates the seated-event catalogue of the original ticketing service:
//! by default 200 musicals, one performance each, in 10 x 14 seat halls
//! (A1 ... J14), every seat one price. Counts and the random seed are
//! parameters; the same parameters always give the same catalogue.

use super::demo_actor;
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Seoul;
use shared::CreateShow;

use crate::configuration::Settings;
use crate::domain::show::{NewPerformance, NewShow};
use crate::domain::venue::{NewVenue, grid};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::store::Store;

/// What to generate.
#[derive(Debug, Clone)]
pub struct CatalogSpec {
    pub shows: u32,
    pub performances_per_show: u32,
    pub rows: u32,
    pub seats_per_row: u32,
    pub seed: u64,
    /// Points granted once to every account that exists when seeding.
    pub demo_points: i64,
}

impl Default for CatalogSpec {
    fn default() -> Self {
        Self {
            shows: 200,
            performances_per_show: 1,
            rows: 10,
            seats_per_row: 14,
            seed: 1,
            demo_points: 1_000_000,
        }
    }
}

impl CatalogSpec {
    /// Reads `--shows N --performances N --rows N --seats-per-row N --seed N
    /// --demo-points N`; anything else is an error naming it.
    pub fn from_args(args: &[&str]) -> Result<Self, String> {
        let mut spec = Self::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = |v: &str| {
                v.parse::<u64>()
                    .map_err(|_| format!("{flag}: `{v}` is not a whole number"))
            };
            match *flag {
                "--shows" => spec.shows = number(value)? as u32,
                "--performances" => spec.performances_per_show = number(value)?.max(1) as u32,
                "--rows" => spec.rows = number(value)?.clamp(1, 52) as u32,
                "--seats-per-row" => spec.seats_per_row = number(value)?.clamp(1, 200) as u32,
                "--seed" => spec.seed = number(value)?,
                "--demo-points" => spec.demo_points = number(value)? as i64,
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(spec)
    }
}

/// SplitMix64: tiny, and stable across crate versions, so a seed always
/// means the same catalogue.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const ADJECTIVES: [&str; 16] = [
    "한여름밤의",
    "마지막",
    "잃어버린",
    "빛나는",
    "고요한",
    "푸른",
    "붉은",
    "비밀의",
    "영원한",
    "작은",
    "낯선",
    "황금빛",
    "눈 내리는",
    "달빛",
    "불멸의",
    "두 번째",
];
const NOUNS: [&str; 16] = [
    "정원",
    "왕관",
    "무도회",
    "기차",
    "편지",
    "바다",
    "도시",
    "노래",
    "초상",
    "약속",
    "등대",
    "서커스",
    "극장",
    "계절",
    "여행자",
    "오페라",
];
const VENUES: [(&str, &str); 5] = [
    ("한빛아트센터", "서울 송파구"),
    ("서울그랜드씨어터", "서울 중구"),
    ("부산하버스테이지", "부산 해운대구"),
    ("대구오페라하우스", "대구 수성구"),
    ("인천베이홀", "인천 연수구"),
];
const MOODS: [&str; 6] = [
    "웃음과 눈물이 교차하는",
    "화려한 군무가 돋보이는",
    "숨막히는 반전이 있는",
    "가족 모두 즐길 수 있는",
    "라이브 오케스트라와 함께하는",
    "원작 소설을 무대로 옮긴",
];

#[derive(Debug, Default)]
pub struct CatalogCounts {
    pub venues: u32,
    pub shows: u32,
    pub performances: u32,
    pub wallets: u32,
}

/// Generates the catalogue unless shows already exist, and grants the
/// demo accounts their points once.
pub async fn generate(settings: &Settings, spec: &CatalogSpec) -> Result<CatalogCounts, ApiError> {
    let metrics = Metrics::new().map_err(|e| ApiError::Internal(format!("metrics: {e}")))?;
    let store = Store::connect_for_command(&settings.database, metrics).await?;
    store.ensure_indexes().await?;
    let mut counts = CatalogCounts::default();
    if store.shows().estimated_document_count().await? > 0 {
        tracing::info!("the catalogue already has shows; not generating another");
    } else {
        generate_shows(&store, spec, &mut counts).await?;
    }
    if spec.demo_points > 0 {
        counts.wallets = store.grant_demo_points(spec.demo_points).await?;
    }
    Ok(counts)
}

async fn generate_shows(
    store: &Store,
    spec: &CatalogSpec,
    counts: &mut CatalogCounts,
) -> Result<(), ApiError> {
    let mut rng = Rng(spec.seed);
    let mut venues = Vec::new();
    for (name, location) in VENUES {
        let mut layout = grid(name, spec.rows, spec.seats_per_row);
        layout.location = location.to_owned();
        let venue = match store.venue_by_name(name).await? {
            Some(venue) => venue,
            None => {
                counts.venues += 1;
                store
                    .insert_venue(&NewVenue::try_from(layout)?, &demo_actor())
                    .await?
            }
        };
        venues.push(venue);
    }
    let today = Utc::now().with_timezone(&Seoul).date_naive();
    let curtain = [
        NaiveTime::from_hms_opt(14, 0, 0),
        NaiveTime::from_hms_opt(19, 30, 0),
    ];
    for i in 0..spec.shows {
        let combination = i as usize % (ADJECTIVES.len() * NOUNS.len());
        let mut title = format!(
            "{} {}",
            ADJECTIVES[combination % ADJECTIVES.len()],
            NOUNS[(combination / ADJECTIVES.len() + combination) % NOUNS.len()]
        );
        let round = i as usize / (ADJECTIVES.len() * NOUNS.len());
        if round > 0 {
            title.push_str(&format!(" {}", round + 1));
        }
        let venue = &venues[rng.below(venues.len() as u64) as usize];
        let running_minutes = 90 + 10 * rng.below(10) as u32;
        let show = store
            .insert_show(
                NewShow::try_from(CreateShow {
                    title: title.clone(),
                    poster_url: format!("/posters/{}.svg", i + 1),
                    description: format!(
                        "{} 뮤지컬 《{title}》. {}에서 {running_minutes}분 동안 펼쳐지는 무대.",
                        rng.pick(&MOODS),
                        venue.name
                    ),
                    location: venue.location.clone(),
                    running_minutes,
                })?,
                &demo_actor(),
            )
            .await?;
        counts.shows += 1;
        let price = 10_000 * (5 + rng.below(11) as u32);
        for k in 0..spec.performances_per_show {
            let day = today + Duration::days(1 + ((i * 3 + k * 7) % 90) as i64);
            let time = curtain[rng.below(2) as usize].unwrap_or_default();
            let starts = Seoul
                .from_local_datetime(&day.and_time(time))
                .earliest()
                .map(|t| t.to_utc())
                .ok_or_else(|| ApiError::Internal(format!("no local time {day} {time}")))?;
            let performance = NewPerformance {
                venue_id: venue.id.to_hex(),
                starts_at: starts,
                sale_opens_at: Utc::now(),
                prices: venue.tiers.iter().map(|t| (t.clone(), price)).collect(),
            };
            store
                .insert_performance(&show, venue.id, &performance, &demo_actor())
                .await?;
            counts.performances += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng(8).next(), xs[0]);
    }

    #[test]
    fn options_are_parsed_and_unknown_ones_named() {
        let spec = CatalogSpec::from_args(&["--shows", "5", "--seed", "9"]).unwrap();
        assert_eq!((spec.shows, spec.seed, spec.rows), (5, 9, 10));
        assert!(
            CatalogSpec::from_args(&["--colour", "red"])
                .unwrap_err()
                .contains("--colour")
        );
        assert!(CatalogSpec::from_args(&["--shows"]).is_err());
        assert!(
            CatalogSpec::from_args(&["--shows", "many"])
                .unwrap_err()
                .contains("many")
        );
    }

    #[test]
    fn two_hundred_titles_are_distinct() {
        let titles: std::collections::HashSet<String> = (0..200usize)
            .map(|c| format!("{} {}", ADJECTIVES[c % 16], NOUNS[(c / 16 + c) % 16]))
            .collect();
        assert_eq!(titles.len(), 200);
    }
}
