package provisioner

import (
	"fmt"
	"strings"
	"testing"
)

func TestPSBalancedCatchesMistakes(t *testing.T) {
	for _, bad := range []string{"if ($a) { b", "'it''s", `"$($x.Name"`, "foo)", "<# open", "@'\nhere\n'@"} {
		if psBalanced(bad) == nil {
			t.Errorf("%q passed", bad)
		}
	}
	if err := psBalanced("# a { in a comment\n$s = 'a { b' + \"c `\" ( $($x.y) d\" + [int]1\n<# ) #>\n"); err != nil {
		t.Errorf("valid text refused: %v", err)
	}
}

// psBalanced checks that (), {} and [] pair up in a PowerShell text outside of strings and
// comments, and that every string ends. It knows '...' (with ”), "..." (with `" and
// $(...) inside), # and <# #> comments, and the backtick escape; here-strings are not
// used in this project's scripts and are refused.
func psBalanced(src string) error {
	var stack []rune
	line := 1
	pairs := map[rune]rune{')': '(', '}': '{', ']': '['}
	rs := []rune(src)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\n':
			line++
		case c == '`':
			i++
		case c == '#':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			i--
		case c == '<' && i+1 < len(rs) && rs[i+1] == '#':
			end := strings.Index(string(rs[i:]), "#>")
			if end < 0 {
				return fmt.Errorf("line %d: unterminated block comment", line)
			}
			line += strings.Count(string(rs[i:i+end]), "\n")
			i += len([]rune(string(rs[i:i+end]))) + 1
		case c == '@' && i+1 < len(rs) && (rs[i+1] == '\'' || rs[i+1] == '"') && i+2 < len(rs) && rs[i+2] == '\n':
			return fmt.Errorf("line %d: here-string", line)
		case c == '\'':
			j := i + 1
			for ; j < len(rs); j++ {
				if rs[j] == '\n' {
					line++
				}
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(rs) {
				return fmt.Errorf("line %d: unterminated '...' string", line)
			}
			i = j
		case c == '"':
			j := i + 1
			depth := 0
			for ; j < len(rs); j++ {
				switch {
				case rs[j] == '\n':
					line++
				case rs[j] == '`':
					j++
				case rs[j] == '$' && j+1 < len(rs) && rs[j+1] == '(':
					depth++
					j++
				case rs[j] == ')' && depth > 0:
					depth--
				case rs[j] == '"' && depth == 0:
					goto closed
				}
			}
			return fmt.Errorf("line %d: unterminated \"...\" string", line)
		closed:
			i = j
		case c == '(' || c == '{' || c == '[':
			stack = append(stack, c)
		case c == ')' || c == '}' || c == ']':
			if len(stack) == 0 || stack[len(stack)-1] != pairs[c] {
				return fmt.Errorf("line %d: unexpected %c", line, c)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %c at the end", stack[len(stack)-1])
	}
	return nil
}
