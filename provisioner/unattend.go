package provisioner

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

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
	type edit struct {
		start, end int
		text       string
	}
	type password struct {
		name, parent               string
		line                       int
		value, plainText, direct   strings.Builder
		hasValue, hasPT            bool
		valueStart, valueEnd, vEnd int // content of <Value>, end of </Value>
		ptStart, ptEnd             int
		children                   bool
	}
	var edits []edit
	var stack []string
	var cur *password
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		end := int(d.InputOffset())
		switch tk := tok.(type) {
		case xml.StartElement:
			name := tk.Name.Local
			switch {
			case cur == nil && strings.HasSuffix(name, "Password"):
				parent := ""
				if len(stack) > 0 {
					parent = stack[len(stack)-1]
				}
				cur = &password{name: name, parent: parent, line: 1 + bytes.Count(data[:start], []byte("\n"))}
			case cur != nil && name == "Value":
				cur.hasValue, cur.valueStart, cur.children = true, end, true
			case cur != nil && name == "PlainText":
				cur.hasPT, cur.ptStart, cur.children = true, end, true
			case cur != nil:
				cur.children = true
			}
			stack = append(stack, name)
		case xml.CharData:
			if cur == nil || len(stack) == 0 {
				continue
			}
			switch stack[len(stack)-1] {
			case "Value":
				cur.value.Write(tk)
			case "PlainText":
				cur.plainText.Write(tk)
			case cur.name:
				cur.direct.Write(tk)
			}
		case xml.EndElement:
			name := tk.Name.Local
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			switch {
			case cur == nil:
			case name == "Value":
				cur.valueEnd, cur.vEnd = start, end
			case name == "PlainText":
				cur.ptEnd = start
			case name == cur.name:
				p := cur
				cur = nil
				element := p.name
				if p.parent != "" && p.name == "Password" {
					element = p.parent + "/" + p.name
				}
				if !p.hasValue {
					if v := strings.TrimSpace(p.direct.String()); !p.children && v != "" && v != "*SENSITIVE*DATA*DELETED*" {
						return nil, fmt.Errorf("line %d: %s is read in clear text only and cannot be hidden: leave it out of the image", p.line, element)
					}
					continue
				}
				v := strings.TrimSpace(p.value.String())
				if v == "" || v == "*SENSITIVE*DATA*DELETED*" || (p.hasPT && strings.EqualFold(strings.TrimSpace(p.plainText.String()), "false")) {
					continue
				}
				edits = append(edits, edit{p.valueStart, p.valueEnd, cleanup.HideUnattendPassword(v, p.name)})
				if p.hasPT {
					edits = append(edits, edit{p.ptStart, p.ptEnd, "false"})
				} else {
					edits = append(edits, edit{p.vEnd, p.vEnd, "<PlainText>false</PlainText>"})
				}
			}
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), data...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, nil
}
