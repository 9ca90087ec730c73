package cleanup

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

// Windows answer files (unattend.xml) carry passwords in three forms: clear text
// (<PlainText>true</PlainText>, or an element such as Credentials/Password that has no
// other form), the "hidden" form Windows SIM writes (<PlainText>false</PlainText>: base64
// of the UTF-16LE password followed by the element name — reversible by anyone), and
// "*SENSITIVE*DATA*DELETED*", which Windows Setup writes into its cached copy once a pass
// has used the value.

// sensitiveDataDeleted is what Windows Setup leaves in place of a used password.
const sensitiveDataDeleted = "*SENSITIVE*DATA*DELETED*"

// UnattendPassword is one non-empty password of an answer file.
type UnattendPassword struct {
	Element string // "AdministratorPassword", "LocalAccount/Password", ...
	Line    int
	Hidden  bool // in the reversible hidden form rather than in clear text
}

// ParseUnattendPasswords lists the passwords of an answer file that are neither empty nor
// deleted by Setup. Findings name elements and lines, never values. A file that is not
// well-formed XML returns what was found before the error, and the error.
func ParseUnattendPasswords(data []byte) ([]UnattendPassword, error) {
	elements, err := UnattendPasswordElements(utf8XML(data), true)
	var out []UnattendPassword
	for _, e := range elements {
		if p, ok := judgePassword(e); ok {
			out = append(out, p)
		}
	}
	return out, err
}

// judgePassword decides whether one password element holds a password worth reporting.
func judgePassword(e UnattendElement) (UnattendPassword, bool) {
	p := UnattendPassword{Element: e.Element, Line: e.Line}
	if e.Unset() {
		return p, false
	}
	if !e.Hidden() {
		return p, true // Setup reads a Value without PlainText as clear text
	}
	p.Hidden = true
	// the hidden form of an empty password is just the suffix
	if clear, ok := revealHiddenPassword(e.Password(), e.Name); ok && clear == "" {
		return p, false
	}
	return p, true
}

// revealHiddenPassword decodes Windows SIM's hidden form: base64 of UTF-16LE(password +
// element name). ok is false when v is not in that form.
func revealHiddenPassword(v, element string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(raw)%2 != 0 {
		return "", false
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	s := string(utf16.Decode(units))
	clear, ok := strings.CutSuffix(s, element)
	return clear, ok
}

// HideUnattendPassword returns the hidden form Windows SIM writes for a password of the
// given element ("AdministratorPassword" or "Password").
func HideUnattendPassword(password, element string) string {
	units := utf16.Encode([]rune(password + element))
	raw := make([]byte, 2*len(units))
	for i, u := range units {
		raw[2*i], raw[2*i+1] = byte(u), byte(u>>8)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// utf8XML turns a UTF-16 file (with a byte order mark, as Notepad and some tools save
// answer files) into UTF-8 and drops a UTF-8 byte order mark.
func utf8XML(data []byte) []byte {
	var big bool
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		big = true
	default:
		return data
	}
	data = data[2:]
	units := make([]uint16, len(data)/2)
	for i := range units {
		if big {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
		}
	}
	return []byte(string(utf16.Decode(units)))
}
