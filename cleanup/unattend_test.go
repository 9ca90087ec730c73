package cleanup

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseUnattendPasswords(t *testing.T) {
	for name, tc := range map[string]struct {
		xml  string
		want string // "Element:line:hidden" per password
		bad  bool
	}{
		"deleted and empty": {xml: unattendWith("<AdministratorPassword><Value>*SENSITIVE*DATA*DELETED*</Value></AdministratorPassword><AutoLogon><Password><Value/></Password></AutoLogon>")},
		"hidden empty":      {xml: unattendWith("<AdministratorPassword><Value>" + HideUnattendPassword("", "AdministratorPassword") + "</Value><PlainText>false</PlainText></AdministratorPassword>")},
		"hidden":            {xml: unattendWith("<AdministratorPassword><Value>" + HideUnattendPassword("pw", "AdministratorPassword") + "</Value><PlainText>false</PlainText></AdministratorPassword>"), want: "AdministratorPassword:6:true"},
		"PlainText first":   {xml: unattendWith("<AdministratorPassword>\n<PlainText>TRUE</PlainText>\n<Value>pw</Value></AdministratorPassword>"), want: "AdministratorPassword:6:false"},
		"false but garbage": {xml: unattendWith("<AdministratorPassword><Value>not base64!</Value><PlainText>false</PlainText></AdministratorPassword>"), want: "AdministratorPassword:6:true"},
		"broken":            {xml: unattendWith("<AdministratorPassword><Value>pw</Value><PlainText>true</PlainText></AdministratorPassword>") + "<oops", want: "AdministratorPassword:6:false", bad: true},
	} {
		got, err := ParseUnattendPasswords([]byte(tc.xml))
		var list []string
		for _, p := range got {
			list = append(list, p.Element+":"+strconv.Itoa(p.Line)+":"+strconv.FormatBool(p.Hidden))
		}
		if strings.Join(list, ",") != tc.want || (err != nil) != tc.bad {
			t.Errorf("%s: got %v, %v", name, list, err)
		}
	}
}

func TestUnattendUTF16(t *testing.T) {
	doc := strings.Replace(unattendWith("<AutoLogon><Password><Value>pw</Value><PlainText>true</PlainText></Password></AutoLogon>"), "utf-8", "utf-16", 1)
	got, err := ParseUnattendPasswords([]byte("\xff\xfe" + utf16le(doc)))
	if err != nil || len(got) != 1 || got[0].Element != "AutoLogon/Password" || got[0].Hidden {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestHiddenPasswordRoundTrip(t *testing.T) {
	// the hidden form of an empty LocalAccount password, as Windows SIM writes it
	if got := HideUnattendPassword("", "Password"); got != "UABhAHMAcwB3AG8AcgBkAA==" {
		t.Fatalf("got %s", got)
	}
	if clear, ok := revealHiddenPassword(HideUnattendPassword("Pässwörd€", "AdministratorPassword"), "AdministratorPassword"); !ok || clear != "Pässwörd€" {
		t.Fatalf("got %q %v", clear, ok)
	}
}

func TestWindowsChecksFailClosed(t *testing.T) {
	for check, missing := range map[string]string{
		"unattend-passwords":     "Windows/Panther/unattend.xml",
		"openssh-keys":           "Users/Administrator/.ssh/known_hosts",
		"ec2launch-agent-config": "ProgramData/Amazon/EC2Launch/config/agent-config.yml",
		"sysprep-state":          "Windows/Setup/State/State.ini",
	} {
		fsys := notFetchedFS{MapFS: cleanWindowsGuest(t), missing: map[string]bool{missing: true}}
		if _, err := runWinCheck(t, check, &Target{FS: fsys}); !errors.Is(err, ErrNotFetched) {
			t.Errorf("%s with %s not fetched: want ErrNotFetched, got %v", check, missing, err)
		}
	}
	if _, err := runWinCheck(t, "psreadline-history", &Target{FS: fstest.MapFS{"Windows/Temp": dir()}}); err == nil {
		t.Error("a drive without Users must not pass")
	}
}

func FuzzUnattendAndAgentConfig(f *testing.F) {
	f.Add([]byte(unattendWith("<AdministratorPassword><Value>pw</Value></AdministratorPassword>")))
	f.Add([]byte("password:\n  type: static\n  data: x\n- password: {type: static, data: y}\n"))
	f.Add([]byte("\xff\xfe<\x00a\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseUnattendPasswords(data)
		agentConfigPasswords(data)
		launchConfigPasswords(data)
		iniValue(utf8XML(data), "State", "ImageState")
	})
}
