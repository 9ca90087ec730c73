package ebsread_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ebs"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

const snapID = "snap-0123456789abcdef0"

// client is the real EBS client pointed at the fake, without the SDK's retryer (ebsread
// retries itself), as cloud/aws builds it.
func client(url string) *ebs.Client {
	return ebs.New(ebs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEBSTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// fastRetries keeps the backoff short so fault tests run in milliseconds.
var fastRetries = ebsread.Options{BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// pattern is a block whose bytes tell where they came from.
func pattern(index int32) []byte {
	return bytes.Repeat([]byte{byte(index), byte(index >> 8), 0xA5, 0x5A}, awsfake.BlockSize/4)
}

// smallSnapshot is a 1 GiB volume holding blocks 0-7, 100 and 2047 (the last).
func smallSnapshot(t *testing.T) (*awsfake.EBS, string) {
	t.Helper()
	fake := awsfake.NewEBS()
	blocks := map[int32][]byte{100: pattern(100), 2047: pattern(2047)}
	for i := int32(0); i < 8; i++ {
		blocks[i] = pattern(i)
	}
	fake.AddBlocks(snapID, 1, blocks)
	return fake, awsfake.Serve(t, fake)
}

func open(t *testing.T, url string, opts ebsread.Options) *ebsread.Snapshot {
	t.Helper()
	s, err := ebsread.Open(context.Background(), client(url), snapID, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readBlock(t *testing.T, s *ebsread.Snapshot, index int32) ([]byte, error) {
	t.Helper()
	buf := make([]byte, s.BlockSize())
	_, err := s.ReadAt(buf, int64(index)*int64(s.BlockSize()))
	return buf, err
}

// eventually polls cond for up to a second: read-ahead runs in the background.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
