package provisioner

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// hideUnattendPasswords rewrites every clear-text password of an answer file
// (<Value>secret</Value> with <PlainText>true</PlainText> or without PlainText) into the
// hidden form Windows SIM writes, so that no copy of the file — the uploaded script, the
// file Sysprep reads, Setup's cache — holds it in clear. Everything else is kept byte for
// byte. A password Windows reads only in clear text (an element with no <Value>, such as
// Credentials/Password) cannot be hidden and is an error, as is a file that is not
// well-formed UTF-8 XML.
func hideUnattendPasswords(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, errors.New("the answer file is UTF-16: save it as UTF-8")
	}
	elements, err := cleanup.UnattendPasswordElements(data, false)
	if err != nil {
		return nil, err
	}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, e := range elements {
		if !e.HasValue {
			if !e.HasChildren && !e.Unset() {
				return nil, fmt.Errorf("line %d: %s is read in clear text only and cannot be hidden: leave it out of the image", e.Line, e.Element)
			}
			continue
		}
		if e.Unset() || e.Hidden() {
			continue
		}
		edits = append(edits, edit{e.ValueStart, e.ValueEnd, cleanup.HideUnattendPassword(e.Password(), e.Name)})
		if e.HasPlainText {
			edits = append(edits, edit{e.PlainTextStart, e.PlainTextEnd, "false"})
		} else {
			edits = append(edits, edit{e.ValueCloseEnd, e.ValueCloseEnd, "<PlainText>false</PlainText>"})
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), data...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, nil
}
