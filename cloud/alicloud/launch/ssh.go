package launch

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// RunScript pipes script to `sh -s` on the instance, elevated with `sudo -n` unless user
// is root, and returns its stdout. A non-zero exit is an error with the end of stderr.
func RunScript(client *ssh.Client, user, script string) (string, error) {
	sess, err := client.NewSession()
	if err != nil {
		return "", fmt.Errorf("opening an SSH session: %w", err)
	}
	defer sess.Close()
	var stdout, stderr bytes.Buffer
	sess.Stdin, sess.Stdout, sess.Stderr = strings.NewReader(script), &stdout, &stderr
	cmd := "sh -s"
	if user != "root" {
		cmd = "sudo -n sh -s"
	}
	if err := sess.Run(cmd); err != nil {
		tail := strings.TrimSpace(stderr.String())
		if len(tail) > 500 {
			tail = "…" + tail[len(tail)-500:]
		}
		return stdout.String(), fmt.Errorf("%s: %w: %s", cmd, err, tail)
	}
	return stdout.String(), nil
}
