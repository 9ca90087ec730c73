package cleanup

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// UnattendElement is one password element of an answer file as written (AdministratorPassword,
// LocalAccount/Password, ...), with where its parts stand in the bytes, so that a caller
// can judge it (ParseUnattendPasswords) or rewrite it in place (the provisioner).
type UnattendElement struct {
	Name    string // local name: "AdministratorPassword", "Password"
	Element string // Name, qualified by its parent for a bare Password: "LocalAccount/Password"
	Line    int

	// The text of <Value>, of <PlainText>, and directly inside the element, untrimmed.
	Value, PlainText, Direct string
	HasValue, HasPlainText   bool
	HasChildren              bool // any child element, not only Value and PlainText

	ValueStart, ValueEnd         int // the content of <Value> ... </Value>
	ValueCloseEnd                int // just after </Value>
	PlainTextStart, PlainTextEnd int // the content of <PlainText> ... </PlainText>
}

// Password is the password as Setup reads it: <Value>'s text, or the element's own text
// when it has no Value.
func (e UnattendElement) Password() string {
	if e.HasValue {
		return strings.TrimSpace(e.Value)
	}
	return strings.TrimSpace(e.Direct)
}

// Unset tells whether the password is empty or already deleted by Setup.
func (e UnattendElement) Unset() bool {
	v := e.Password()
	return v == "" || v == sensitiveDataDeleted
}

// Hidden tells whether the password is in Windows SIM's hidden form (<PlainText>false).
func (e UnattendElement) Hidden() bool {
	return e.HasValue && e.HasPlainText && strings.EqualFold(strings.TrimSpace(e.PlainText), "false")
}

// passwordElement tells whether an element holds a password: AdministratorPassword,
// Password, DomainAdminPassword, ...
func passwordElement(local string) bool {
	return strings.HasSuffix(local, "Password")
}

// UnattendPasswordElements lists the password elements of an answer file in UTF-8. Lenient
// reads as Windows Setup does (XML errors tolerated, declared charsets accepted), for
// checking; otherwise the file must be well-formed, for rewriting. On an error it returns
// what was found before it, and the error.
func UnattendPasswordElements(data []byte, lenient bool) ([]UnattendElement, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	if lenient {
		d.Strict = false
		d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
			switch strings.ToLower(label) {
			case "utf-8", "utf8", "utf-16", "utf16", "unicode", "us-ascii", "ascii":
				return in, nil // utf8XML already turned UTF-16 into UTF-8
			}
			return nil, fmt.Errorf("unsupported encoding %q", label)
		}
	}
	var stack []string
	var cur *UnattendElement
	var value, plainText, direct strings.Builder
	var out []UnattendElement
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("not well-formed XML: %w", err)
		}
		end := int(d.InputOffset())
		switch tk := tok.(type) {
		case xml.StartElement:
			name := tk.Name.Local
			switch {
			case cur == nil && passwordElement(name):
				cur = &UnattendElement{Name: name, Element: name, Line: 1 + bytes.Count(data[:start], []byte("\n"))}
				if len(stack) > 0 && name == "Password" {
					cur.Element = stack[len(stack)-1] + "/" + name
				}
				value.Reset()
				plainText.Reset()
				direct.Reset()
			case cur != nil && name == "Value":
				cur.HasValue, cur.ValueStart, cur.HasChildren = true, end, true
			case cur != nil && name == "PlainText":
				cur.HasPlainText, cur.PlainTextStart, cur.HasChildren = true, end, true
			case cur != nil:
				cur.HasChildren = true
			}
			stack = append(stack, name)
		case xml.CharData:
			if cur == nil || len(stack) == 0 {
				continue
			}
			switch stack[len(stack)-1] {
			case "Value":
				value.Write(tk)
			case "PlainText":
				plainText.Write(tk)
			case cur.Name:
				direct.Write(tk)
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			switch name := tk.Name.Local; {
			case cur == nil:
			case name == "Value":
				cur.ValueEnd, cur.ValueCloseEnd = start, end
			case name == "PlainText":
				cur.PlainTextEnd = start
			case name == cur.Name:
				cur.Value, cur.PlainText, cur.Direct = value.String(), plainText.String(), direct.String()
				out = append(out, *cur)
				cur = nil
			}
		}
	}
}
