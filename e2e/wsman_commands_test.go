package e2e

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode/utf16"
)

// The commands Packer's WinRM communicator sends, as the fake understands them:
//
//   - the connect check: powershell.exe -EncodedCommand of `echo "WinRM connected."`;
//   - winrmcp's upload: `echo <base64 chunk> >> "%TEMP%\winrmcp-<uuid>.tmp"` per chunk in
//     cmd, then a PowerShell "restore" that decodes the temp file into the destination, then
//     a PowerShell "cleanup" that removes the temp file;
//   - the sanitize provisioner's execute_command, `powershell ... -File "<script>"`.
//
// Anything else is recorded as "other" and fails with exit code 1.

var (
	echoChunk    = regexp.MustCompile(`^echo (\S+) >> "([^"]+)"$`)
	encodedPS    = regexp.MustCompile(`^powershell\.exe -EncodedCommand (\S+)$`)
	restoreFrom  = regexp.MustCompile(`\$tmp_file_path = \[System\.IO\.Path\]::GetFullPath\("([^"]+)"\)`)
	restoreTo    = regexp.MustCompile(`\$dest_file_path = \[System\.IO\.Path\]::GetFullPath\("([^"]+)"\.Trim\("'"\)\)`)
	runScriptArg = regexp.MustCompile(`^powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "([^"]+)"$`)
)

// interpret answers one command (called with f.mu held).
func (f *wsmanFake) interpret(cmd string) fakeRun {
	if m := echoChunk.FindStringSubmatch(cmd); m != nil {
		key := tempKey(m[2])
		f.tmp[key] = append(f.tmp[key], m[1])
		f.events = append(f.events, fakeEvent{"upload-chunk", key})
		return fakeRun{}
	}
	if m := encodedPS.FindStringSubmatch(cmd); m != nil {
		return f.powershell(decodePS(m[1]))
	}
	if m := runScriptArg.FindStringSubmatch(cmd); m != nil {
		path := slashes(m[1])
		f.events = append(f.events, fakeEvent{"run", path})
		script, ok := f.files[path]
		if !ok {
			return fakeRun{Stderr: "The argument '" + m[1] + "' to the -File parameter does not exist.", Exit: 1}
		}
		if f.run == nil {
			return fakeRun{Stderr: "fake WS-Man: no answer prepared for the script", Exit: 1}
		}
		return f.run(path, script)
	}
	f.events = append(f.events, fakeEvent{"other", cmd})
	return fakeRun{Stderr: "fake WS-Man: unknown command", Exit: 1}
}

// powershell answers an -EncodedCommand script.
func (f *wsmanFake) powershell(script string) fakeRun {
	switch {
	case strings.Contains(script, `echo "WinRM connected."`):
		f.events = append(f.events, fakeEvent{"connect-check", ""})
		return fakeRun{Stdout: "WinRM connected.\r\n"}
	case restoreFrom.MatchString(script) && restoreTo.MatchString(script):
		from := tempKey(restoreFrom.FindStringSubmatch(script)[1])
		to := slashes(strings.Trim(restoreTo.FindStringSubmatch(script)[1], "'"))
		var content []byte
		for _, chunk := range f.tmp[from] {
			b, err := base64.StdEncoding.DecodeString(chunk)
			if err != nil {
				return fakeRun{Stderr: "bad base64 chunk: " + err.Error(), Exit: 1}
			}
			content = append(content, b...)
		}
		f.files[to] = content
		f.events = append(f.events, fakeEvent{"upload", to})
		return fakeRun{}
	case restoreFrom.MatchString(script) && strings.Contains(script, "Remove-Item $tmp_file_path"):
		from := tempKey(restoreFrom.FindStringSubmatch(script)[1])
		delete(f.tmp, from)
		f.events = append(f.events, fakeEvent{"upload-cleanup", from})
		return fakeRun{}
	}
	f.events = append(f.events, fakeEvent{"other", script})
	return fakeRun{Stderr: "fake WS-Man: unknown PowerShell script", Exit: 1}
}

// decodePS reverses winrm.Powershell: base64 of UTF-16LE text.
func decodePS(b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw)%2 != 0 {
		return ""
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(units))
}

// tempKey names winrmcp's temp file the same whether cmd ("%TEMP%\x") or PowerShell
// ("$env:TEMP\x") spells its folder.
func tempKey(p string) string {
	p = slashes(p)
	return p[strings.LastIndex(p, "/")+1:]
}

func slashes(p string) string { return strings.ReplaceAll(p, `\`, "/") }

// summary is the events without the details of an upload (chunks, cleanup), connect checks
// counted once: what the test asserts the order of.
func (f *wsmanFake) summary() []fakeEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeEvent
	for _, e := range f.events {
		switch {
		case e.Kind == "upload-chunk" || e.Kind == "upload-cleanup":
		case e.Kind == "connect-check" && len(out) > 0 && out[len(out)-1].Kind == "connect-check":
		default:
			out = append(out, e)
		}
	}
	return out
}
