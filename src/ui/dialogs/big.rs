//! Large type for the drill's verdict: five rows of block letters. Only
//! the letters of PASS, FAIL and ABORTED; the word is also printed plainly
//! beside it, so nothing depends on reading the shapes.

const ROWS: usize = 5;

fn glyph(c: char) -> [&'static str; ROWS] {
    match c {
        'A' => [".###.", "#...#", "#####", "#...#", "#...#"],
        'B' => ["####.", "#...#", "####.", "#...#", "####."],
        'D' => ["####.", "#...#", "#...#", "#...#", "####."],
        'E' => ["#####", "#....", "####.", "#....", "#####"],
        'F' => ["#####", "#....", "####.", "#....", "#...."],
        'I' => ["#####", "..#..", "..#..", "..#..", "#####"],
        'L' => ["#....", "#....", "#....", "#....", "#####"],
        'O' => [".###.", "#...#", "#...#", "#...#", ".###."],
        'P' => ["####.", "#...#", "####.", "#....", "#...."],
        'R' => ["####.", "#...#", "####.", "#..#.", "#...#"],
        'S' => [".####", "#....", ".###.", "....#", "####."],
        'T' => ["#####", "..#..", "..#..", "..#..", "..#.."],
        _ => [".....", ".....", ".....", ".....", "....."],
    }
}

/// `word` in five rows of `█`, letters one column apart.
pub fn big(word: &str) -> Vec<String> {
    (0..ROWS)
        .map(|r| {
            word.chars()
                .map(|c| {
                    glyph(c)[r]
                        .chars()
                        .map(|p| if p == '#' { '█' } else { ' ' })
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[cfg(test)]
mod tests;
