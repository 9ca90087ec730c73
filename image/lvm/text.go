package lvm

import (
	"fmt"
	"strconv"
	"strings"
)

// section is a block of LVM2's text metadata: `name { key = value ... child { ... } }`.
type section struct {
	values   map[string]any // string, int64 or []any of those
	children map[string]*section
	order    []string // children's names as written
}

// maxDepth bounds nesting: real metadata nests four levels (vg, lvs, lv, segment).
const maxDepth = 16

// parseText parses LVM2 metadata text (the format of /etc/lvm/backup files).
func parseText(text string) (*section, error) {
	p := &parser{s: text}
	root, err := p.section(0)
	if err != nil {
		return nil, fmt.Errorf("%w: metadata text, offset %d: %v", ErrCorrupt, p.pos, err)
	}
	return root, nil
}

type parser struct {
	s   string
	pos int
}

// section reads assignments and child sections up to a closing brace (or the end, at
// depth 0).
func (p *parser) section(depth int) (*section, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested too deep")
	}
	sec := &section{values: map[string]any{}, children: map[string]*section{}}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch {
		case tok == "":
			if depth > 0 {
				return nil, fmt.Errorf("unclosed section")
			}
			return sec, nil
		case tok == "}":
			if depth == 0 {
				return nil, fmt.Errorf("unexpected }")
			}
			return sec, nil
		case !isIdent(tok):
			return nil, fmt.Errorf("unexpected %q", tok)
		}
		op, err := p.next()
		if err != nil {
			return nil, err
		}
		switch op {
		case "{":
			child, err := p.section(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, dup := sec.children[tok]; dup {
				return nil, fmt.Errorf("section %q twice", tok)
			}
			sec.children[tok] = child
			sec.order = append(sec.order, tok)
		case "=":
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			sec.values[tok] = v
		default:
			return nil, fmt.Errorf("%q after %q", op, tok)
		}
	}
}

// value reads a string, a number or a [list] of them.
func (p *parser) value() (any, error) {
	tok, err := p.next()
	if err != nil {
		return nil, err
	}
	if tok != "[" {
		return scalar(tok)
	}
	var list []any
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case "]":
			return list, nil
		case ",":
			continue
		case "":
			return nil, fmt.Errorf("unclosed list")
		}
		v, err := scalar(tok)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
}

func scalar(tok string) (any, error) {
	if strings.HasPrefix(tok, `"`) {
		return tok[1:], nil // next strips the closing quote and unescapes
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(tok, 64); ferr == nil {
			return int64(f), nil
		}
		return nil, fmt.Errorf("not a value: %q", tok)
	}
	return n, nil
}

// next returns the next token: punctuation, a word, or a string as `"` + its content.
// Comments (# to the end of the line) are skipped; "" means the end.
func (p *parser) next() (string, error) {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		case strings.IndexByte("{}[]=,", c) >= 0:
			p.pos++
			return string(c), nil
		case c == '"':
			var b strings.Builder
			b.WriteByte('"')
			for p.pos++; p.pos < len(p.s); p.pos++ {
				switch p.s[p.pos] {
				case '\\':
					if p.pos++; p.pos < len(p.s) {
						b.WriteByte(p.s[p.pos])
					}
				case '"':
					p.pos++
					return b.String(), nil
				default:
					b.WriteByte(p.s[p.pos])
				}
			}
			return "", fmt.Errorf("unclosed string")
		default:
			start := p.pos
			for p.pos < len(p.s) && strings.IndexByte(" \t\r\n#{}[]=,\"", p.s[p.pos]) < 0 {
				p.pos++
			}
			return p.s[start:p.pos], nil
		}
	}
	return "", nil
}

func isIdent(tok string) bool {
	return tok != "" && strings.IndexByte(`"{}[]=,`, tok[0]) < 0
}

// Typed accessors: a missing or mistyped value is the zero value and false.

func (s *section) str(key string) (string, bool) {
	v, ok := s.values[key].(string)
	return v, ok
}

func (s *section) num(key string) (int64, bool) {
	v, ok := s.values[key].(int64)
	return v, ok
}

func (s *section) list(key string) []any {
	v, _ := s.values[key].([]any)
	return v
}

func (s *section) has(key, flag string) bool {
	for _, v := range s.list(key) {
		if v == flag {
			return true
		}
	}
	return false
}
