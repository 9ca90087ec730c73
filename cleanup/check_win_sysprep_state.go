package cleanup

import (
	"bufio"
	"bytes"
	"strings"
)

const (
	sysprepStateFile  = "/Windows/Setup/State/State.ini"
	generalizedReseal = "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"
)

var checkWinSysprepState = Check{
	ID:       "sysprep-state",
	OS:       Windows,
	Severity: Medium,
	Summary:  "The image is generalized: Windows\\Setup\\State\\State.ini says ImageState=IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE, so every instance gets its own SID and name (captured image only: the live verification runs before Sysprep)",
	Needs:    []string{sysprepStateFile},
	// the live guest is verified before Sysprep runs, when this state cannot exist yet
	ImageOnly: true,
	Run:       runWinSysprepState,
}

func runWinSysprepState(t *Target) ([]Finding, error) {
	r := newReport("sysprep-state", Medium)
	p, data, err := winReadFile(t.FS, sysprepStateFile, 64<<10)
	if isMissing(err) {
		r.add(sysprepStateFile, "no Sysprep state file: the image was not generalized")
		return r.result()
	}
	if err != nil {
		return nil, err
	}
	state := iniValue(utf8XML(data), "State", "ImageState")
	switch state {
	case generalizedReseal:
	case "":
		r.add(p, "no ImageState in [State]: the image was not generalized")
	default:
		r.add(p, "ImageState is %s, not %s: the image was not generalized by Sysprep", printable(state, 64), generalizedReseal)
	}
	return r.result()
}

// iniValue returns key's value in [section] of an INI file (names case-insensitive).
func iniValue(data []byte, section, key string) string {
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			in = strings.EqualFold(strings.TrimSpace(line[1:len(line)-1]), section)
			continue
		}
		if k, v, ok := strings.Cut(line, "="); in && ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
