package postprocessor

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/alicloudfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// startSSHTarget runs the e2e harness's target: a Debian rootfs (with the planted
// residue when dirty, else without even the harness's login key), served by its own
// sshd chrooted on 127.0.0.1. It needs root (chroot,
// namespaces) and debootstrap: skipped without them, a failure under CI=true.
func startSSHTarget(t *testing.T, dirty bool) (rootfs string, port int) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("launch-mode test needs root (chroot, unshare) under CI")
		}
		t.Skip("needs root")
	}
	repo, _ := filepath.Abs("..")
	rootfs = filepath.Join(t.TempDir(), "rootfs")
	script := func(args ...string) {
		t.Helper()
		cmd := exec.Command("bash", append([]string{filepath.Join(repo, "scripts", "e2e", args[0])}, args[1:]...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	script("rootfs.sh", rootfs)
	if dirty {
		script("plant-residue.sh", rootfs)
	} else {
		if err := os.Remove(filepath.Join(rootfs, "home/packer/.ssh/authorized_keys")); err != nil {
			t.Fatal(err)
		}
		cfg, err := os.OpenFile(filepath.Join(rootfs, "etc/ssh/sshd_config"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = cfg.WriteString("PasswordAuthentication no\nPermitRootLogin prohibit-password\n")
		cfg.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	port = freeTCPPort(t)
	script("sshd.sh", "start", rootfs, strconv.Itoa(port))
	t.Cleanup(func() { exec.Command("bash", filepath.Join(repo, "scripts", "e2e", "sshd.sh"), "stop", rootfs).Run() })
	return rootfs, port
}

// Launch mode for real: the fake ECS "runs" the instance as the local sshd target,
// installing the new key pair's public key in root's authorized_keys as cloud-init
// would; the post-processor connects with the real SSH client, runs the provisioner's
// gather script, finds the planted residue, quarantines the image, and deletes the
// instance and the key pair.
func TestAlicloudLaunchModeFindsResidue(t *testing.T) {
	f, port := startAliFakes(t, alicloudfake.IdentityRAMUser, nil), 0
	var launched alicloudfake.Launched
	port = runOnTarget(t, f, true, &launched)
	r := f.run(t, aliID, launchConfig(port, map[string]interface{}{"on_residue": "quarantine", "approve_tags": approve, "quarantine_tags": quarantine}))
	t.Logf("output:\n%s", r.out)
	if r.err == nil {
		t.Fatal("the dirty image passed")
	}
	rep := r.readReport(t)
	img := rep.AlicloudImages[0]
	if img.Status != statusVerified || img.Instance == "" || !strings.HasPrefix(img.Content, "verified (launch mode)") ||
		!slices.Contains(img.NotChecked, "ssh-host-keys") || img.Gate != "quarantine" {
		t.Errorf("alicloud_images %+v", img)
	}
	for _, want := range []struct{ check, path string }{{"password-hashes", "/etc/shadow"}, {"authorized-keys", "/root/.ssh/authorized_keys"}} {
		if !slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Check == want.check && f.Path == want.path }) {
			t.Errorf("no %s finding at %s: %+v", want.check, want.path, rep.Findings)
		}
	}
	for _, fd := range rep.Findings {
		if strings.Contains(fd.Message, "RSA") && fd.Check == "authorized-keys" {
			t.Errorf("the temporary key pair's own line was reported: %+v", fd)
		}
	}
	if instances, keys := f.ecs.Live(); len(instances) != 0 || len(keys) != 0 {
		t.Errorf("left behind: instances %v, key pairs %v", instances, keys)
	}
	if launched.Params.Get("PasswordInherit") != "false" || launched.Params.Get("KeyPairName") == "" {
		t.Errorf("RunInstances params %v", launched.Params)
	}
	acts := f.ecs.Actions()
	for _, a := range []string{"CreateKeyPair", "RunInstances", "DescribeInstances", "DeleteInstance", "DeleteKeyPairs"} {
		if !slices.Contains(acts, a) {
			t.Errorf("%s not called: %v", a, acts)
		}
	}
	if tags := f.ecs.ImageTags(aliRegion, aliImage); tags["status"] != "quarantined" {
		t.Errorf("not quarantined: %v", tags)
	}
	if strings.Contains(r.out, "PRIVATE KEY") {
		t.Error("the private key reached the output")
	}
}

// The clean twin: the same launch on a rootfs without residue passes, and the image
// and its snapshots are approved (sanitize:verified without "metadata-only").
func TestAlicloudLaunchModeApprovesClean(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityRAMUser, nil)
	port := runOnTarget(t, f, false, nil)
	r := f.run(t, aliID, launchConfig(port, map[string]interface{}{"approve_tags": approve}))
	t.Logf("output:\n%s", r.out)
	if r.err != nil {
		t.Fatalf("the clean image failed: %v", r.err)
	}
	rep := r.readReport(t)
	if img := rep.AlicloudImages[0]; img.Status != statusVerified || img.Gate != "approve" || rep.Sources[0].Status != statusVerified {
		t.Errorf("report %+v", img)
	}
	for id, tags := range f.tagsOf() {
		if v := tags[ecsimage.VerifiedTag]; tags["status"] != "approved" || !strings.HasPrefix(v, "sha256:") || strings.Contains(v, "metadata-only") {
			t.Errorf("%s: %v", id, tags)
		}
	}
	if instances, keys := f.ecs.Live(); len(instances) != 0 || len(keys) != 0 {
		t.Errorf("left behind: instances %v, key pairs %v", instances, keys)
	}
}

// runOnTarget starts the SSH target and makes the fake ECS "run" instances on it:
// RunInstances appends the key pair's public key to root's authorized_keys, as
// cloud-init does. It returns the target's SSH port.
func runOnTarget(t *testing.T, f *aliFakes, dirty bool, launched *alicloudfake.Launched) int {
	rootfs, port := startSSHTarget(t, dirty)
	f.ecs.SetOnRun(func(l alicloudfake.Launched) error {
		if launched != nil {
			*launched = l
		}
		if err := os.MkdirAll(filepath.Join(rootfs, "root/.ssh"), 0o700); err != nil {
			return err
		}
		ak, err := os.OpenFile(filepath.Join(rootfs, "root/.ssh/authorized_keys"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer ak.Close()
		_, err = ak.WriteString(l.PublicKey)
		return err
	})
	return port
}

// launchConfig is cfg with launch mode on, pointed at the target's port.
func launchConfig(port int, cfg map[string]interface{}) map[string]interface{} {
	cfg["alicloud_verify_mode"] = "launch"
	cfg["alicloud"] = map[string]interface{}{"instance_type": "ecs.t6-c1m1.large", "vswitch_id": "vsw-bp1test",
		"security_group_id": "sg-bp1test", "ssh_port": port, "launch_timeout": "60s"}
	return cfg
}

// A launch whose SSH never answers is not verified, fails the build, and still deletes
// the instance and the key pair.
func TestAlicloudLaunchFailureCleansUp(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityRAMUser, nil)
	cfg := launchConfig(freeTCPPort(t), map[string]interface{}{})
	cfg["alicloud"].(map[string]interface{})["launch_timeout"] = "1s"
	r := f.run(t, aliID, cfg)
	if r.err == nil {
		t.Fatalf("passed:\n%s", r.out)
	}
	rep := r.readReport(t)
	if len(rep.NotVerified) != 1 || !strings.Contains(rep.NotVerified[0].Error, "SSH") || rep.AlicloudImages[0].Status != statusNotVerified {
		t.Errorf("report %+v", rep)
	}
	if instances, keys := f.ecs.Live(); len(instances) != 0 || len(keys) != 0 {
		t.Errorf("left behind: instances %v, key pairs %v", instances, keys)
	}
}

// freeTCPPort returns a port nothing listens on, on 127.0.0.1.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
