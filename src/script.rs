//! Splitting SQL scripts and shell input into statements and dot-commands, aware of
//! quotes and comments, with the line each one starts on (for error messages), and
//! telling whether typed input is complete (ends in `;`, or is a dot-command).

/// One statement or dot-command of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    /// 1-based line of the script the piece starts on.
    pub line: usize,
    pub dot: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Single,
    Double,
    LineComment,
    BlockComment,
}

/// The complete pieces of `script`, and the unfinished rest (a statement without its
/// `;`), if any.
pub fn split(script: &str) -> (Vec<Piece>, Option<Piece>) {
    let mut pieces = Vec::new();
    let mut state = State::Code;
    let mut current = String::new();
    let mut start_line = 1;
    let mut line = 1;
    // Only whitespace and comments seen since the last piece ended.
    let mut blank = true;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        if blank && state == State::Code && c == '.' {
            // A dot-command runs to the end of its line.
            let mut cmd = String::from(".");
            for d in chars.by_ref() {
                if d == '\n' {
                    break;
                }
                cmd.push(d);
            }
            pieces.push(Piece { text: cmd.trim_end().to_string(), line, dot: true });
            line += 1;
            current.clear();
            continue;
        }
        // A comment does not start a statement; anything else in code does.
        if blank && state == State::Code && !c.is_whitespace() && c != '-' && c != '/' {
            blank = false;
            start_line = line;
        }
        current.push(c);
        match state {
            State::Code => match c {
                '\'' => state = State::Single,
                '"' => state = State::Double,
                '-' if chars.peek() == Some(&'-') => {
                    current.push(chars.next().unwrap_or('-'));
                    state = State::LineComment;
                }
                '/' if chars.peek() == Some(&'*') => {
                    current.push(chars.next().unwrap_or('*'));
                    state = State::BlockComment;
                }
                '-' | '/' if blank => {
                    blank = false;
                    start_line = line;
                }
                ';' => {
                    let text = current.trim().to_string();
                    if !is_only_comments(&text) {
                        pieces.push(Piece { text, line: start_line, dot: false });
                    }
                    current.clear();
                    blank = true;
                }
                _ => {}
            },
            State::Single if c == '\'' => state = State::Code,
            State::Double if c == '"' => state = State::Code,
            State::LineComment if c == '\n' => state = State::Code,
            State::BlockComment if c == '*' && chars.peek() == Some(&'/') => {
                current.push(chars.next().unwrap_or('/'));
                state = State::Code;
            }
            _ => {}
        }
        if c == '\n' {
            line += 1;
        }
    }
    let rest = current.trim();
    let rest = (!rest.is_empty() && !is_only_comments(rest)).then(|| Piece {
        text: rest.to_string(),
        line: start_line,
        dot: false,
    });
    (pieces, rest)
}

/// Typed input is complete when nothing is left unfinished: every statement ended
/// with `;` (outside quotes and comments) or the line is a dot-command.
pub fn is_complete(input: &str) -> bool {
    split(input).1.is_none()
}

fn is_only_comments(text: &str) -> bool {
    let mut rest = text.trim();
    loop {
        if rest.is_empty() || rest == ";" {
            return true;
        }
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after).trim();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after).trim();
        } else {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(String, usize, bool)> {
        split(s).0.into_iter().map(|p| (p.text, p.line, p.dot)).collect()
    }

    #[test]
    fn statements_and_dot_commands_with_their_lines() {
        let script = ".mode csv\nSELECT 1;\n\n-- a comment; not a statement\nSELECT 'a;b'\n  , \"x;y\" /* ; */ FROM t;\n.timer on\n";
        assert_eq!(
            texts(script),
            [
                (".mode csv".to_string(), 1, true),
                ("SELECT 1;".to_string(), 2, false),
                ("-- a comment; not a statement\nSELECT 'a;b'\n  , \"x;y\" /* ; */ FROM t;".to_string(), 5, false),
                (".timer on".to_string(), 7, true),
            ]
        );
    }

    #[test]
    fn completeness() {
        assert!(is_complete("SELECT 1;"));
        assert!(!is_complete("SELECT\n 1"));
        assert!(!is_complete("SELECT ';"));
        assert!(is_complete(".tables"));
        assert!(is_complete(""));
        assert!(is_complete("-- just a comment"));
        assert!(!is_complete("SELECT 1; SELECT"));
        let (pieces, rest) = split("SELECT 1;\nSELECT 2");
        assert_eq!(pieces.len(), 1);
        assert_eq!(rest.unwrap().line, 2);
    }
}
