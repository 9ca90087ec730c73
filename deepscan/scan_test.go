package deepscan

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Test fixtures are assembled at run time so that this file holds no literal secret.
var (
	pemKey = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" +
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
		"-----END OPENSSH " + "PRIVATE KEY-----\n"
	awsPair = "[default]\naws_access_key_id = AKIA" + "2OGYBAH6QRESIDUX\n" +
		"aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYzq8Lx3v9Tw1B\n"
	shadow = "root:$6$" + "saltsalt$3oRT0MvOCXM1nRA1SWdHqv1ZJxVGrsjm8jrJwGqAqL2hWg1lR1yBJ/8KRXIsgk2z.bNWFBgMVxERVLDNJa3Ad/:19000:0:99999:7:::\n"
	aliyun = "access_key_id = LTAI" + "5tQx8yZ3rKpW2mNvB7cD\n"
	putty  = "PuTTY-User-Key-" + "File-3: ssh-ed25519\n"
)

// The scan skips all-zero blocks: a secret right before or after one, across a block
// boundary, in a block that is zero but for the secret, or cut by the volume's end (a
// size that is not a whole number of blocks) is still found.
func TestZeroBlocks(t *testing.T) {
	const block = 4096
	for _, c := range []struct {
		name string
		at   int
		size int
	}{
		{"after a zero block", 2 * block, 8 * block},
		{"ends a block before a zero one", 3*block - len(shadow), 8 * block},
		{"across a block boundary", 3*block - 20, 8 * block},
		{"alone in a zero block", 5*block + 100, 8 * block},
		{"at the end of a partial block", 8*block + 1000 - len(shadow), 8*block + 1000},
	} {
		data := make([]byte, c.size)
		copy(data[c.at:], shadow)
		res := scanBytes(t, data, Options{ChunkSize: 16 * block})
		if len(res.Hits) != 1 || res.Hits[0].Rule != "password-hash" || res.BytesRead < int64(c.size) {
			t.Errorf("%s: hits %s, read %d", c.name, rulesOf(res), res.BytesRead)
		}
	}
}

func scanBytes(t *testing.T, data []byte, opt Options) *Result {
	t.Helper()
	res, err := Scan(context.Background(), "test", bytes.NewReader(data), int64(len(data)), opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rulesOf(res *Result) string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Rule)
	}
	return strings.Join(ids, ",")
}

func TestFindsEachKindOnce(t *testing.T) {
	data := make([]byte, 3<<20)
	put := func(off int, s string) { copy(data[off:], s) }
	put(1000, pemKey)
	put(200000, awsPair)
	put(900000, shadow)
	put(2000000, aliyun)
	res := scanBytes(t, data, Options{ChunkSize: 1 << 20})
	if got, want := rulesOf(res), "private-key,aws-access-key,aws-secret-access-key,password-hash,alibaba-access-key-id"; got != want {
		t.Fatalf("rules = %s, want %s", got, want)
	}
	if res.Hits[0].Offset != 1000 || res.BytesRead < int64(len(data)) {
		t.Errorf("first hit at %d, read %d", res.Hits[0].Offset, res.BytesRead)
	}
	for _, h := range res.Hits {
		if strings.Contains(h.Preview, "2OGYBAH6") || strings.Contains(h.Preview, "saltsalt") || len(h.Preview) > 24 {
			t.Errorf("preview leaks the secret: %q", h.Preview)
		}
	}
}

// A secret straddling the boundary between two buffers is found once, whatever the split.
func TestBoundaries(t *testing.T) {
	const chunk = 64 << 10
	for _, s := range []string{pemKey, awsPair, shadow, aliyun, putty} {
		for cut := 1; cut < len(s); cut += 7 {
			data := make([]byte, 3*chunk)
			copy(data[chunk-cut:], s)
			res := scanBytes(t, data, Options{ChunkSize: chunk, Workers: 2})
			want := map[string]int{pemKey: 1, awsPair: 2, shadow: 1, aliyun: 1, putty: 1}[s]
			if len(res.Hits) != want {
				t.Fatalf("cut %d of %q: %d hits (%s), want %d", cut, s[:12], len(res.Hits), rulesOf(res), want)
			}
		}
	}
}

func TestNotSecrets(t *testing.T) {
	data := []byte("AKIAIOSFODNN7EXAMPLE alone\nAKIA" + "2OGYBAH6QRESIDUX without its secret\n" +
		"admin:!$6$saltsalt$3oRT0MvOCXM1nRA1SWdHq:19000:0:99999:7:::\n" +
		"sed -e 's:$1:x:'\n# PRIVATE KEY is mentioned in prose\n")
	if res := scanBytes(t, data, Options{}); len(res.Hits) != 0 {
		t.Fatalf("false positives: %+v", res.Hits)
	}
}

func TestHitCap(t *testing.T) {
	data := bytes.Repeat([]byte(shadow), 50)
	res := scanBytes(t, data, Options{MaxHits: 10})
	if len(res.Hits) != 10 || res.Total != 50 {
		t.Fatalf("%d hits, total %d", len(res.Hits), res.Total)
	}
}

var errBroken = errors.New("I/O error")

type failingReader struct{ after int64 }

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.after {
		return 0, errBroken
	}
	return len(p), nil
}

func TestReadErrorFailsClosed(t *testing.T) {
	_, err := Scan(context.Background(), "disk.raw partition 1", failingReader{after: 5 << 20}, 20<<20, Options{ChunkSize: 1 << 20})
	if !errors.Is(err, errBroken) || !strings.Contains(err.Error(), "disk.raw partition 1") || !strings.Contains(err.Error(), "offset") {
		t.Fatalf("err = %v", err)
	}
}

// crashingReader panics on a read at or past offset at, or when asked for holes, as a
// container reader with a bug might on a hostile image.
type crashingReader struct{ at int64 }

func (c crashingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > c.at {
		panic("index out of range [7] with length 7")
	}
	return len(p), nil
}

func (c crashingReader) KnownZeros(off, n int64) (int64, error) { panic("nil map") }

// A reader crashing in a worker is an error naming the volume and offset, not the end of
// the process; asked for holes, it is read instead.
func TestReaderCrashFailsClosed(t *testing.T) {
	_, err := Scan(context.Background(), "disk.qcow2 partition 2", crashingReader{at: 3 << 20}, 8<<20, Options{ChunkSize: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "crashed") || !strings.Contains(err.Error(), "disk.qcow2 partition 2") || !strings.Contains(err.Error(), "offset") {
		t.Fatalf("err = %v, want the crash named with the volume and offset", err)
	}
	res, err := Scan(context.Background(), "clean", crashingReader{at: 1 << 40}, 2<<20, Options{ChunkSize: 1 << 20})
	if err != nil || res.BytesRead < 2<<20 || res.KnownZeros != 0 {
		t.Fatalf("holes asked of a crashing reader: %v, %d bytes read, want all of them read", err, res.BytesRead)
	}
}

// zeroChunks is a volume whose reader knows its all-zero 1 MiB chunks as zeros (as a
// sparse image knows its holes).
type zeroChunks struct{ *bytes.Reader }

func (z zeroChunks) KnownZeros(off, n int64) (int64, error) {
	b := make([]byte, n)
	if _, err := z.ReadAt(b, off); err != nil || !bytes.Equal(b, make([]byte, n)) || off%(1<<20) != 0 {
		return 0, nil
	}
	return n, nil
}

// Chunks the image knows to be zeros are not read, and the scan finds what it finds
// reading them: a secret just before such a chunk and one across two chunks of data.
func TestKnownZerosAreNotRead(t *testing.T) {
	data := make([]byte, 8<<20)
	copy(data[1<<20+100:], pemKey)
	copy(data[4<<20-len(awsPair)/2:], awsPair) // across chunks 3 and 4
	copy(data[7<<20-len(pemKey)-1:], pemKey)   // ends just before the last chunk
	opt := Options{ChunkSize: 1 << 20}
	want := scanBytes(t, data, opt)
	got, err := Scan(context.Background(), "sparse", zeroChunks{bytes.NewReader(data)}, int64(len(data)), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Hits, want.Hits) || len(got.Hits) != 4 {
		t.Fatalf("hits skipping zeros: %s; reading them: %s", rulesOf(got), rulesOf(want))
	}
	if got.KnownZeros != 4<<20 || got.BytesRead >= want.BytesRead-4<<20+1 {
		t.Errorf("%d bytes known zeros and %d read, want 4 MiB not read of %d", got.KnownZeros, got.BytesRead, want.BytesRead)
	}
}
