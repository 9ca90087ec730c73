package provisioner

import (
	"os"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

func TestHideUnattendPasswords(t *testing.T) {
	data, err := os.ReadFile("testdata/unattend.xml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := hideUnattendPasswords(data)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, secret := range []string{"Golden-Admin-Pass1", "Golden-Ops-Pass1"} {
		if strings.Contains(text, secret) {
			t.Errorf("%s still in clear", secret)
		}
	}
	for _, want := range []string{
		"<Value>" + cleanup.HideUnattendPassword("Golden-Admin-Pass1", "AdministratorPassword") + "</Value>\n          <PlainText>false</PlainText>",
		"<Password><Value>" + cleanup.HideUnattendPassword("Golden-Ops-Pass1", "Password") + "</Value><PlainText>false</PlainText></Password>",
		`<Password><Value>UABhAHMAcwB3AG8AcgBkAA==</Value><PlainText>false</PlainText></Password>`, // already hidden: untouched
		`<LocalAccount wcm:action="add">`, // namespaces and attributes kept byte for byte
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	found, err := cleanup.ParseUnattendPasswords(out)
	if err != nil || len(found) != 2 || !found[0].Hidden || !found[1].Hidden {
		t.Errorf("after hiding: %+v, %v", found, err)
	}
	again, err := hideUnattendPasswords(out)
	if err != nil || string(again) != text {
		t.Errorf("hiding twice changes the file (err %v)", err)
	}
}

func TestHideUnattendPasswordsRefuses(t *testing.T) {
	for name, doc := range map[string]string{
		"clear-only element": `<unattend><settings><component><Identification><Credentials><Password>Join-Pass1</Password></Credentials></Identification></component></settings></unattend>`,
		"not XML":            `<unattend><AdministratorPassword><Value>x</Value>`,
		"UTF-16":             "\xff\xfe<\x00u\x00/\x00>\x00",
	} {
		if _, err := hideUnattendPasswords([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "Join-Pass1") {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
}
