//! The text of each e-mail, in Korean or English, from the state its
//! event recorded. Plain text: it reads the same in every mail client.

use chrono::{DateTime, Datelike, Utc, Weekday};
use chrono_tz::Tz;
use shared::{Booking, Language, MailKind, Reservation};

/// What an e-mail is about: the booking or reservation as its event
/// recorded it.
#[derive(Debug, Clone)]
pub enum Subject {
    Booking(Box<Booking>),
    Reservation(Box<Reservation>),
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

fn weekday_ko(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

/// `instant` in `zone` (an IANA name), as a reader of `language` writes it.
pub fn when(instant: DateTime<Utc>, zone: &str, language: Language) -> String {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let local = instant.with_timezone(&tz);
    match language {
        Language::Ko => format!(
            "{} ({}) {} [{zone}]",
            local.format("%Y년 %-m월 %-d일"),
            weekday_ko(local.weekday()),
            local.format("%H:%M"),
        ),
        Language::En => format!("{} [{zone}]", local.format("%a %-d %b %Y, %H:%M")),
    }
}

/// The time of day of `instant` in `zone`.
fn clock(instant: DateTime<Utc>, zone: &str) -> String {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    instant.with_timezone(&tz).format("%H:%M").to_string()
}

struct Lines<'a> {
    language: Language,
    rows: Vec<(&'a str, &'a str, String)>,
}

impl<'a> Lines<'a> {
    fn row(mut self, ko: &'a str, en: &'a str, value: String) -> Self {
        self.rows.push((ko, en, value));
        self
    }

    fn render(&self) -> String {
        self.rows
            .iter()
            .map(|(ko, en, value)| {
                let label = if self.language == Language::Ko {
                    ko
                } else {
                    en
                };
                format!("  {label}: {value}\n")
            })
            .collect()
    }
}

/// The e-mail of `kind` about `subject` to `name`, in `language`.
/// `base_url` is where the web app is (links point there).
pub fn render(
    kind: MailKind,
    subject: &Subject,
    name: &str,
    language: Language,
    base_url: &str,
) -> Letter {
    let ko = language == Language::Ko;
    let pick = |k: String, e: String| if ko { k } else { e };
    let lines = Lines {
        language,
        rows: Vec::new(),
    };
    let (title, lead, details, link) = match subject {
        Subject::Booking(b) => {
            let starts = when(b.starts_at, &b.time_zone, language);
            let refunded = b.refunded.unwrap_or(b.total);
            let (title, lead) = match kind {
                MailKind::BookingCancelled => (
                    pick(
                        format!(
                            "{} 예매가 취소되었습니다 ({refunded} 포인트 환불)",
                            b.show_title
                        ),
                        format!(
                            "Booking cancelled: {} ({refunded} points refunded)",
                            b.show_title
                        ),
                    ),
                    if b.performance_cancelled {
                        pick(
                            format!(
                                "공연이 취소되어 예매가 취소되었습니다. {refunded} 포인트가 지갑으로 환불되었습니다."
                            ),
                            format!(
                                "The performance was cancelled, so your booking is cancelled. {refunded} points were refunded to your wallet."
                            ),
                        )
                    } else {
                        pick(
                            format!(
                                "예매가 취소되었습니다. {refunded} 포인트가 지갑으로 환불되었습니다."
                            ),
                            format!(
                                "Your booking is cancelled. {refunded} points were refunded to your wallet."
                            ),
                        )
                    },
                ),
                MailKind::Reminder => (
                    pick(
                        format!("곧 시작합니다: {}", b.show_title),
                        format!("Starting soon: {}", b.show_title),
                    ),
                    pick(
                        format!("{}에 {}이(가) 시작합니다.", starts, b.show_title),
                        format!("{} starts {starts}.", b.show_title),
                    ),
                ),
                _ => (
                    pick(
                        format!("{} 예매가 확정되었습니다", b.show_title),
                        format!("Booking confirmed: {}", b.show_title),
                    ),
                    pick(
                        "예매가 확정되었습니다.".to_owned(),
                        "Your booking is confirmed.".to_owned(),
                    ),
                ),
            };
            let details = lines
                .row("공연", "Show", b.show_title.clone())
                .row("장소", "Venue", b.venue_name.clone())
                .row("시작", "Starts", starts)
                .row("좌석", "Seats", b.seats.join(", "))
                .row(
                    "금액",
                    "Price",
                    pick(format!("{} 포인트", b.total), format!("{} points", b.total)),
                )
                .row("예매 번호", "Booking", b.id.0.clone());
            (title, lead, details, format!("{base_url}/bookings"))
        }
        Subject::Reservation(r) => {
            let range = format!(
                "{} – {}",
                when(r.start, &r.time_zone, language),
                clock(r.end, &r.time_zone)
            );
            let (title, lead) = match kind {
                MailKind::ReservationApproved => (
                    pick(
                        format!("{} 예약이 승인되었습니다", r.room_name),
                        format!("Reservation approved: {}", r.room_name),
                    ),
                    pick(
                        "예약이 승인되었습니다.".to_owned(),
                        "Your reservation is approved.".to_owned(),
                    ),
                ),
                MailKind::ReservationRejected => (
                    pick(
                        format!("{} 예약이 거절되었습니다", r.room_name),
                        format!("Reservation rejected: {}", r.room_name),
                    ),
                    pick(
                        "예약이 거절되었습니다. 다른 시간이나 회의실을 골라 주세요.".to_owned(),
                        "Your reservation was rejected. Please pick another time or room."
                            .to_owned(),
                    ),
                ),
                MailKind::ReservationCancelled => (
                    pick(
                        format!("관리자가 {} 예약을 취소했습니다", r.room_name),
                        format!("Reservation cancelled by an administrator: {}", r.room_name),
                    ),
                    pick(
                        "관리자가 예약을 취소했습니다. 회의실은 다른 사람이 예약할 수 있습니다."
                            .to_owned(),
                        "An administrator cancelled your reservation; the room is free for others."
                            .to_owned(),
                    ),
                ),
                _ => (
                    pick(
                        format!("곧 시작합니다: {}", r.room_name),
                        format!("Starting soon: {}", r.room_name),
                    ),
                    pick(
                        format!("{} 예약이 곧 시작합니다.", r.room_name),
                        format!("Your reservation of {} starts soon.", r.room_name),
                    ),
                ),
            };
            let details = lines
                .row("회의실", "Room", r.room_name.clone())
                .row("시간", "When", range)
                .row("목적", "Purpose", r.purpose.clone())
                .row("예약 번호", "Reservation", r.id.0.clone());
            (title, lead, details, format!("{base_url}/my"))
        }
    };
    let body = if ko {
        format!(
            "{name}님, 안녕하세요.\n\n{lead}\n\n{}\n자세히 보기: {link}\n\n--\n{base_url} 계정으로 보내 드린 메일입니다.\n이런 메일을 받지 않으려면: {base_url}/notifications\n",
            details.render()
        )
    } else {
        format!(
            "Hello {name},\n\n{lead}\n\n{}\nSee it here: {link}\n\n--\nYou receive this because of your account at {base_url}.\nTo stop e-mail like this: {base_url}/notifications\n",
            details.render()
        )
    };
    Letter {
        subject: title,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_written_in_the_zone_and_language() {
        let instant = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();

        assert_eq!(
            when(instant, "Asia/Seoul", Language::Ko),
            "2026년 12월 3일 (목) 19:00 [Asia/Seoul]"
        );
        assert_eq!(
            when(instant, "Europe/Berlin", Language::En),
            "Thu 3 Dec 2026, 11:00 [Europe/Berlin]"
        );
    }

    #[test]
    fn a_cancelled_booking_reads_well_in_korean() {
        let booking = Booking {
            id: shared::BookingId("b1".into()),
            performance_id: shared::PerformanceId("p1".into()),
            show_id: shared::ShowId("s1".into()),
            show_title: "햄릿".into(),
            venue_name: "대극장".into(),
            time_zone: "Asia/Seoul".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap(),
            seats: vec!["A1".into(), "A2".into()],
            total: 20,
            status: shared::BookingStatus::Cancelled,
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            cancelled_at: None,
            refunded: Some(20),
            performance_cancelled: false,
        };
        let subject = Subject::Booking(Box::new(booking));

        let letter = render(
            MailKind::BookingCancelled,
            &subject,
            "김민수",
            Language::Ko,
            "https://rooms.example.com",
        );

        assert_eq!(
            letter.subject,
            "햄릿 예매가 취소되었습니다 (20 포인트 환불)"
        );
        assert_eq!(
            letter.body,
            "김민수님, 안녕하세요.\n\n\
             예매가 취소되었습니다. 20 포인트가 지갑으로 환불되었습니다.\n\n\
             \x20 공연: 햄릿\n\
             \x20 장소: 대극장\n\
             \x20 시작: 2026년 12월 3일 (목) 19:00 [Asia/Seoul]\n\
             \x20 좌석: A1, A2\n\
             \x20 금액: 20 포인트\n\
             \x20 예매 번호: b1\n\n\
             자세히 보기: https://rooms.example.com/bookings\n\n\
             --\n\
             https://rooms.example.com 계정으로 보내 드린 메일입니다.\n\
             이런 메일을 받지 않으려면: https://rooms.example.com/notifications\n"
        );
    }
}
