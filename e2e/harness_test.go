// Package e2e runs real `packer build`s: a Packer binary built from the Go module proxy, this
// plugin installed with `packer plugins install --path`, and the null builder logging in over
// SSH to a Debian rootfs served by its own sshd on 127.0.0.1. Needs root, debootstrap and the
// Packer binary (`make test` installs them first). Without them the tests skip on a laptop and
// fail under CI=true.
package e2e

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	repoRoot   = func() string { _, f, _, _ := runtime.Caller(0); return filepath.Dir(filepath.Dir(f)) }()
	pluginOnce sync.Once
	pluginDir  string
	pluginErr  error
)

// requirePrereqs skips (or, under CI=true, fails) when the machine cannot run the e2e.
func requirePrereqs(t *testing.T) string {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, c := range []string{"debootstrap", "zstd", "unshare", "chroot", "ssh-keygen"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	packer := packerBinary()
	if _, err := os.Stat(packer); err != nil {
		missing = append(missing, "packer ("+packer+")")
	}
	if len(missing) > 0 {
		msg := "e2e prerequisites missing: " + strings.Join(missing, ", ") + " (run `make test`, which installs them)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return packer
}

func cacheDir() string {
	if d := os.Getenv("SANITIZE_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "packer-plugin-sanitize")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "packer-plugin-sanitize")
}

func packerBinary() string {
	if p := os.Getenv("SANITIZE_PACKER"); p != "" {
		return p
	}
	return filepath.Join(cacheDir(), "bin", "packer")
}

// packerEnv keeps every file Packer writes inside dir.
func packerEnv(dir string) []string {
	return append(os.Environ(),
		"PACKER_PLUGIN_PATH="+filepath.Join(pluginDir, "plugins"),
		"PACKER_CONFIG_DIR="+filepath.Join(dir, "packer-config"),
		"PACKER_CACHE_DIR="+filepath.Join(dir, "packer-cache"),
		"CHECKPOINT_DISABLE=1",
		"PACKER_NO_COLOR=1",
	)
}

// installPlugin builds this plugin once per test run and installs it the way users do.
func installPlugin(t *testing.T, packer string) {
	t.Helper()
	pluginOnce.Do(func() {
		pluginDir, pluginErr = os.MkdirTemp("", "sanitize-e2e-plugin-")
		if pluginErr != nil {
			return
		}
		bin := filepath.Join(pluginDir, "packer-plugin-sanitize")
		if _, err := run(repoRoot, nil, "go", "build", "-o", bin, "."); err != nil {
			pluginErr = err
			return
		}
		if _, err := run(pluginDir, packerEnv(pluginDir), packer, "plugins", "install", "--path", bin, "github.com/goldenimage/sanitize"); err != nil {
			pluginErr = err
		}
	})
	if pluginErr != nil {
		t.Fatalf("installing the plugin: %v", pluginErr)
	}
}

func run(dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.String(), &cmdError{name + " " + strings.Join(args, " "), err, out.String()}
	}
	return out.String(), nil
}

type cmdError struct {
	cmd    string
	err    error
	output string
}

func (e *cmdError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + e.output }

// target is a Debian rootfs with planted residue, served by its own sshd on 127.0.0.1.
type target struct {
	rootfs string
	key    string
	port   int
}

func startTarget(t *testing.T) *target {
	t.Helper()
	dir := t.TempDir()
	tg := &target{rootfs: filepath.Join(dir, "rootfs"), key: filepath.Join(dir, "rootfs.key")}
	e2eScript(t, "rootfs.sh", tg.rootfs)
	e2eScript(t, "plant-residue.sh", tg.rootfs)
	tg.serve(t)
	return tg
}

// serve starts the rootfs's own sshd on a free port of 127.0.0.1, stopped with the test.
func (tg *target) serve(t *testing.T) {
	t.Helper()
	tg.port = freePort(t)
	e2eScript(t, "sshd.sh", "start", tg.rootfs, strconv.Itoa(tg.port))
	t.Cleanup(func() { _, _ = run(repoRoot, nil, "bash", "scripts/e2e/sshd.sh", "stop", tg.rootfs) })
}

// e2eScript runs one of scripts/e2e/*.sh, failing the test with its output.
func e2eScript(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := run(repoRoot, nil, "bash", append([]string{filepath.Join("scripts", "e2e", name)}, args...)...); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// build runs `packer build` of the local-target example against tg.
// The report of the live verification lands in work/live-report.json.
func (tg *target) build(t *testing.T, packer string, extraVars ...string) (out, work string, err error) {
	t.Helper()
	work = t.TempDir()
	args := []string{"build", "-color=false",
		"-var", "ssh_port=" + strconv.Itoa(tg.port),
		"-var", "ssh_key=" + tg.key,
		"-var", "report_path=" + filepath.Join(work, "live-report.json"),
	}
	for _, v := range extraVars {
		args = append(args, "-var", v)
	}
	args = append(args, filepath.Join(repoRoot, "example", "local-target.pkr.hcl"))
	out, err = run(work, packerEnv(work), packer, args...)
	t.Logf("packer build output:\n%s", out)
	return out, work, err
}

func (tg *target) path(p string) string { return filepath.Join(tg.rootfs, p) }

func TestMain(m *testing.M) {
	code := m.Run()
	if pluginDir != "" {
		os.RemoveAll(pluginDir)
	}
	os.Exit(code)
}
