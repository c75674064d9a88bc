//! How much room a figure's text takes, estimated from its characters alone.
//!
//! Figures never measure text with the machine's fonts (the SVG would then differ between
//! machines), and a browser picks its own font anyway: Liberation Sans or Arial on one machine,
//! DejaVu Sans on another, Noto Sans CJK for every character of a page in `lang="ko"`. So the
//! estimate is per script and errs on the wide side of the fonts readers are likely to have.
//! Measured in headless Chromium at 100 px (Liberation Sans for English, Noto Sans CJK KR on a
//! Korean page): digits 0.56 em, lower case 0.49–0.53 em on average, capitals 0.63–0.68 em,
//! superscripts 0.39–0.42 em, math signs (× − → ∂) up to 0.82 em, Hangul 0.92 em; DejaVu Sans is
//! wider still for Latin (digits 0.64 em). The browser tests check the estimates against the
//! real layout: no figure's texts may overlap.

/// Where a text's box reaches above and below the point it is anchored at, in em, for text
/// placed with plotters' vertical centre (SVG `dy="0.5ex"`). Measured: −0.57/+0.55 em for Latin
/// fonts, −0.81/+0.64 em on a Korean page, where Noto Sans CJK sets even the digits.
pub const ABOVE_EM: f64 = 0.85;
pub const BELOW_EM: f64 = 0.68;

/// The estimated advance width of one character, in em.
pub fn em_width(c: char) -> f64 {
    match c {
        // Hangul syllables, jamo and compatibility jamo, CJK ideographs and symbols, kana,
        // full-width forms: square glyphs (Noto Sans CJK: 0.92 em).
        '\u{1100}'..='\u{11ff}'
        | '\u{3000}'..='\u{303f}'
        | '\u{3040}'..='\u{30ff}'
        | '\u{3130}'..='\u{318f}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{a960}'..='\u{a97f}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{d7b0}'..='\u{d7ff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff00}'..='\u{ffef}' => 1.0,
        '0'..='9' => 0.64,
        ' ' => 0.33,
        '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'j' | 'l' | 'I' => 0.34,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '{' | '}' | '-' | '/' | '"' => 0.45,
        'm' | 'w' | 'M' | 'W' => 0.98,
        'a'..='z' => 0.62,
        'A'..='Z' => 0.76,
        // Superscript digits and signs (the ×10⁻⁴ of an axis).
        '⁰' | '¹' | '²' | '³' | '⁴'..='⁹' | '⁺' | '⁻' => 0.48,
        // Multiplication and division signs sit among the accented letters below.
        '×' | '÷' => 0.9,
        // Greek letters (σ) and Latin letters with accents.
        '\u{00c0}'..='\u{024f}' | '\u{0370}'..='\u{03ff}' => 0.72,
        // Everything else: math signs, arrows, dashes, symbols. Some fonts draw them 0.84 em.
        _ => 0.9,
    }
}

/// The estimated width of `text` set at `px` pixels.
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars().map(em_width).sum::<f64>() * px
}

/// The estimated height of one line of text at `px` pixels.
pub fn line_height(px: f64) -> f64 {
    (ABOVE_EM + BELOW_EM) * px
}

/// The distance between the anchors of stacked lines at `px` pixels: a line's height rounded up
/// to whole pixels, and one more, so that lines placed on whole pixels never touch.
pub fn line_pitch(px: f64) -> i32 {
    line_height(px).ceil() as i32 + 1
}

/// Breaks `text` at spaces into lines no wider than `max_width` at `px` pixels. A word longer
/// than the line stays whole on a line of its own (the caller sees that it does not fit).
/// Spaces are where Korean breaks lines too (`word-break: keep-all`), so Hangul words stay whole.
pub fn wrap(text: &str, px: f64, max_width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), px) <= max_width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Widths (in em) Chromium measured for these strings: Liberation Sans on an English page,
    /// Noto Sans CJK KR on a Korean one (the wider of the two). The estimate must cover both,
    /// and not by so much that figures waste their room.
    const MEASURED: &[(&str, f64)] = &[
        ("0123456789", 5.562),
        ("abcdefghijklmnopqrstuvwxyz", 13.693),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 17.613),
        ("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", 4.577),
        ("×−→∂≈±²σ", 6.575),
        ("1층", 1.476),
        ("활성화 값", 3.960),
        ("개수", 1.840),
        ("Layer 1", 3.400),
        ("441 below -5×10⁻⁴", 9.037),
        ("∂L/∂a (×10⁻⁴)", 7.504),
        ("training loss (moving average of 25)", 16.737),
        ("가나다라마바사아자차", 9.200),
        ("mwMW", 3.418),
        ("N(0, 0.01²)", 4.868),
    ];

    #[test]
    fn estimates_cover_what_browsers_draw_without_wasting_room() {
        for &(text, measured) in MEASURED {
            let estimate = text_width(text, 1.0);
            assert!(
                estimate >= measured && estimate <= measured * 1.45,
                "{text:?}: estimated {estimate:.3} em, measured {measured} em"
            );
        }
    }

    #[test]
    fn each_script_has_its_own_width() {
        assert_eq!(em_width('층'), 1.0);
        assert_eq!(em_width('ㄱ'), 1.0);
        assert_eq!(em_width('漢'), 1.0);
        assert_eq!(em_width('7'), 0.64);
        assert_eq!(em_width('a'), 0.62);
        assert_eq!(em_width('.'), 0.34);
        assert_eq!(em_width('⁻'), 0.48);
        // Hangul is about twice as wide as Latin: "개수" needs more room than "count" per letter.
        assert!(text_width("개수", 10.0) / 2.0 > text_width("count", 10.0) / 5.0 * 1.5);
        assert_eq!(text_width("", 13.0), 0.0);
        assert!((text_width("1층", 10.0) - 16.4).abs() < 1e-9);
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_words_whole() {
        assert_eq!(
            wrap("cut bars: 74920, 16167, 6653", 10.0, 120.0),
            ["cut bars: 74920,", "16167, 6653"]
        );
        assert_eq!(wrap("short", 10.0, 1000.0), ["short"]);
        // A word wider than the line is not split; it gets a line of its own.
        assert_eq!(
            wrap("a unbreakable b", 10.0, 30.0),
            ["a", "unbreakable", "b"]
        );
        // Korean words stay whole, as with `word-break: keep-all`.
        assert_eq!(
            wrap("최근 25회 이동 평균", 10.0, 45.0),
            ["최근", "25회", "이동 평균"]
        );
        assert!(wrap("", 10.0, 100.0).is_empty());
    }
}
