package cleanup

import (
	"errors"
)

// unattendFiles are the answer files Windows Setup, Sysprep and the EC2 launch agents read
// (Setup also looks at the root of the system drive), relative to C:\.
var unattendFiles = []string{
	"/unattend.xml", "/autounattend.xml",
	"/Windows/Panther/unattend.xml", "/Windows/Panther/autounattend.xml",
	"/Windows/Panther/Unattend/unattend.xml", "/Windows/Panther/Unattend/autounattend.xml",
	"/Windows/System32/Sysprep/unattend.xml", "/Windows/System32/Sysprep/autounattend.xml",
	"/ProgramData/Amazon/EC2Launch/sysprep/unattend.xml",
	"/ProgramData/Amazon/EC2-Windows/Launch/Sysprep/Unattend.xml",
	"/Program Files/Amazon/Ec2ConfigService/sysprep2008.xml",
}

var checkWinUnattend = Check{
	ID:       "unattend-passwords",
	OS:       Windows,
	Severity: Critical,
	Summary:  "No password in an answer file (Windows\\Panther, Windows\\System32\\Sysprep, the EC2 launch agents' sysprep files): AdministratorPassword, LocalAccount and AutoLogon passwords, Credentials — in clear text (critical) or in the reversible hidden base64 form (high); \"*SENSITIVE*DATA*DELETED*\" passes",
	Needs:    unattendFiles,
	Run:      runWinUnattend,
}

func runWinUnattend(t *Target) ([]Finding, error) {
	r := newReport("unattend-passwords", Critical)
	for _, name := range unattendFiles {
		p, data, err := winReadFile(t.FS, name, maxConfigSize)
		if err != nil && !errors.Is(err, errTooLarge) {
			r.fail(err)
			continue
		}
		r.fail(err) // a truncated file is not verified, but its start is still read
		found, perr := ParseUnattendPasswords(data)
		for _, pw := range found {
			if pw.Hidden {
				r.addSeverity(High, p, "line %d: %s in the hidden (base64, reversible) form", pw.Line, pw.Element)
			} else {
				r.add(p, "line %d: %s in clear text", pw.Line, pw.Element)
			}
		}
		if perr != nil && !errors.Is(err, errTooLarge) {
			r.fail(errors.New(guestPath(p) + ": " + perr.Error()))
		}
	}
	return r.result()
}
