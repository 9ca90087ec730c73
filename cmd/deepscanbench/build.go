package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// imageVersion keys the cached image: bump it when what buildImage makes changes.
const imageVersion = "v1"

// Planted secrets, so the bench measures a scan that finds something: a live key, a
// deleted one (a remnant in free space) and an AWS credentials file.
const (
	liveKeyPath    = "/root/.ssh/id_ed25519"
	deletedKeyPath = "/home/admin/old_id_ed25519"
)

// cachedImage returns the bench image for sizeGiB, building it on first use.
func cachedImage(cache string, sizeGiB int) (string, error) {
	img := filepath.Join(cache, fmt.Sprintf("deepscan-bench-%s-%dGiB.ext4", imageVersion, sizeGiB))
	if _, err := os.Stat(img); err == nil {
		return img, nil
	}
	tarballs, _ := filepath.Glob(filepath.Join(cache, "rootfs-bookworm-*.tar.zst"))
	if len(tarballs) == 0 {
		return "", fmt.Errorf("no rootfs tarball in %s (make e2e caches one)", cache)
	}
	tarball := largest(tarballs)
	work, err := os.MkdirTemp(cache, "deepscan-bench-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	first := filepath.Join(work, "tree", "copies", "0")
	if err := os.MkdirAll(first, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "building %s from %s ...\n", img, filepath.Base(tarball))
	if err := run("tar", "--zstd", "-xf", tarball, "-C", first, "--exclude=./dev/*"); err != nil {
		return "", err
	}
	treeBytes, err := duBytes(first)
	if err != nil {
		return "", err
	}
	// Fill about 70% of the filesystem with copies of the rootfs: real data in real files,
	// as many as fit, the rest free space.
	copies := max(int(int64(sizeGiB)<<30*7/10/treeBytes), 1)
	for i := 1; i < copies; i++ {
		if err := run("cp", "-a", first, filepath.Join(work, "tree", "copies", strconv.Itoa(i))); err != nil {
			return "", err
		}
	}
	tree := filepath.Join(work, "tree")
	pad := strings.Repeat("# not inline: the key gets blocks of its own\n", 100)
	for p, data := range map[string]string{
		liveKeyPath:              newKey(),
		deletedKeyPath:           pad + newKey(),
		"/root/.aws/credentials": "[default]\naws_access_key_id = AKIA" + "2OGYBAH6BENCHMRK\naws_secret_access_key = q8Lx3v9Tw1BwJalrXUtnFEMIK7MDENGbPxRfiCYz\n",
	} {
		full := filepath.Join(tree, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			return "", err
		}
		if err := os.WriteFile(full, []byte(data), 0o600); err != nil {
			return "", err
		}
	}
	tmp := img + ".tmp"
	if err := run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0", "-d", tree, tmp, strconv.Itoa(sizeGiB)+"G"); err != nil {
		return "", err
	}
	if err := run("debugfs", "-w", "-R", "rm "+deletedKeyPath, tmp); err != nil {
		return "", err
	}
	return img, os.Rename(tmp, img)
}

func largest(paths []string) string {
	best, size := paths[0], int64(-1)
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			best, size = p, fi.Size()
		}
	}
	return best
}

func duBytes(dir string) (int64, error) {
	out, err := exec.Command("du", "-sb", dir).Output()
	if err != nil {
		return 0, fmt.Errorf("du %s: %w", dir, err)
	}
	return strconv.ParseInt(strings.Fields(string(out))[0], 10, 64)
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func newKey() string {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "bench")
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(block))
}
