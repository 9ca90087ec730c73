package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// imageVersion keys the cached images: bump it when what writeTree or buildImage makes
// changes.
const imageVersion = "v4"

// planted are secrets every scanner should find, so the bench measures scans that work
// and tells which tool found what. An AWS key ID alone is residue to the content scan; the
// deep scan, reading raw blocks, reports one only next to its secret, as in .aws/credentials.
var planted = map[string]string{
	"root/.aws/credentials": "[default]\naws_access_key_id = AKIA2OGYBAH6BENCHCRD\n" +
		"aws_secret_access_key = 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\n",
	"home/dev/project-0007/.env":          "DB_HOST=db\nAWS_ACCESS_KEY_ID=AKIA2OGYBAH6BENCHXYZ\n",
	"opt/app/config/deploy-key.pem":       "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAbenchbenchbenchbench\n-----END RSA PRIVATE KEY-----\n",
	"etc/app/cloud.conf":                  "[aliyun]\naccess_key_id = LTAI5tBenchKey00000001\n",
	"srv/www/site-0003/wp-config.php.bak": "<?php define('AWS_KEY', 'AKIA2OGYBAH6BENCHQRS');\n",
}

// layout is where the files go: directory prefix, file count, size range in bytes, and
// whether the content is text (config, code, docs) or binary.
var layout = []struct {
	dir      string
	files    int
	min, max int
	text     bool
}{
	{"etc/conf.d", 2000, 200, 8 << 10, true},
	{"usr/share/doc", 14000, 500, 16 << 10, true},
	{"usr/lib/python3/dist-packages", 10000, 500, 32 << 10, true},
	{"usr/bin", 500, 50 << 10, 1 << 20, false},
	{"opt/app", 8000, 500, 64 << 10, true},
	{"opt/app/bundles", 200, 200 << 10, 1 << 20, true},
	{"home/dev", 10000, 300, 32 << 10, true},
	{"home/dev/datasets", 20, 2 << 20, 20 << 20, false},
	{"srv/www", 5000, 500, 24 << 10, true},
	{"var/lib/misc", 300, 1 << 10, 256 << 10, false},
}

// cachedImage returns the bench image, building it on first use: about 50,000 files,
// 1.4 GB of data, in a 2 GiB ext4 made by mkfs.ext4 -d.
// writeTree writes the generated tree: the layout's file counts times scale (1: about
// 50,000 files, 1.4 GB; 4: about 200,000, 3.2 GB). Text files are scale times smaller, so
// the bytes in the content scan's places stay about 630 MB, within its 1 GiB budget: the
// big image has more files, binaries and free space, not more text.
func writeTree(root string, scale int) error {
	rnd := rand.New(rand.NewSource(1))
	text, binary := corpus(rnd, 8<<20), make([]byte, 4<<20)
	rnd.Read(binary)
	base := map[string]string{
		"etc/passwd":          "root:x:0:0:root:/root:/bin/bash\ndev:x:1000:1000::/home/dev:/bin/bash\n",
		"etc/shadow":          "root:*:19000:0:99999:7:::\ndev:!:19000:0:99999:7:::\n",
		"etc/ssh/sshd_config": "PasswordAuthentication no\nPermitRootLogin prohibit-password\n",
		"etc/machine-id":      "",
	}
	for p, data := range planted {
		base[p] = data
	}
	for p, data := range base {
		if err := writeFile(filepath.Join(root, p), []byte(data)); err != nil {
			return err
		}
	}
	for _, l := range layout {
		for i := 0; i < l.files*scale; i++ {
			// 100 files a directory, nested two levels: like package trees
			p := filepath.Join(root, l.dir, fmt.Sprintf("d%02d", i/1000), fmt.Sprintf("s%02d", i/100%10), fmt.Sprintf("file-%05d", i))
			size := l.min + rnd.Intn(l.max-l.min+1)
			if l.text {
				size /= scale
			}
			src := binary
			if l.text {
				src = text
			}
			size = min(size, len(src))
			off := rnd.Intn(len(src) - size + 1)
			if err := writeFile(p, src[off:off+size]); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// corpus is text shaped like what images hold: config lines, code, prose; no secrets.
func corpus(rnd *rand.Rand, size int) []byte {
	words := strings.Fields("the server config value path user group service enable disable port host " +
		"return import def class self data file list dict string int error log info debug warn " +
		"package version license copyright install build test cache timeout retry session token_type")
	var b strings.Builder
	w := bufio.NewWriter(&b)
	for b.Len() < size {
		switch rnd.Intn(4) {
		case 0:
			fmt.Fprintf(w, "%s_%s = %s\n", words[rnd.Intn(len(words))], words[rnd.Intn(len(words))], strconv.Itoa(rnd.Intn(100000)))
		case 1:
			fmt.Fprintf(w, "    def %s(self, %s):\n        return self.%s\n", words[rnd.Intn(len(words))], words[rnd.Intn(len(words))], words[rnd.Intn(len(words))])
		default:
			for i := 0; i < 12; i++ {
				w.WriteString(words[rnd.Intn(len(words))])
				w.WriteByte(' ')
			}
			w.WriteByte('\n')
		}
		w.Flush()
	}
	return []byte(b.String()[:size])
}
