package launch_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/alicloudfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/launch"
)

const (
	region  = "cn-hangzhou"
	imageID = "m-bp1g7004ksh0oeuco1ab"
)

func setup(t *testing.T) (*alicloudfake.ECS, *alicloud.Clients) {
	t.Helper()
	e := alicloudfake.NewECS()
	e.AddCredentials("LTAI5tLAUNCHTEST00001", "launch-secret", "sts-token")
	e.AddImage(alicloudfake.Image{Region: region, ID: imageID, Disks: []alicloudfake.Disk{{Device: "/dev/xvda", SnapshotID: "s-bp1sys", Type: "system", SizeGiB: 20}}})
	c, err := alicloud.Connect(region, alicloud.Settings{
		Credentials: alicloud.Credentials{AccessKey: "LTAI5tLAUNCHTEST00001", SecretKey: "launch-secret", SecurityToken: "sts-token"},
		Endpoints:   alicloud.Endpoints{ECS: "http://" + alicloudfake.Serve(t, e), STS: "http://127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	return e, c
}

func spec(port int) launch.Spec {
	return launch.Spec{Region: region, ImageID: imageID, InstanceType: "ecs.t6-c1m1.large", VSwitchID: "vsw-1", SecurityGroupID: "sg-1",
		SSHUser: "root", SSHPort: port, Timeout: time.Minute, Poll: 20 * time.Millisecond}
}

// A cancelled build (ctx cancelled while waiting for SSH) still deletes the instance
// and the key pair, and the error says it was cancelled.
func TestCancelledLaunchCleansUp(t *testing.T) {
	e, c := setup(t)
	l, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never speaks SSH
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	e.SetOnRun(func(alicloudfake.Launched) error {
		time.AfterFunc(300*time.Millisecond, cancel)
		return nil
	})
	inst, err := launch.Run(ctx, c.ECS, spec(l.Addr().(*net.TCPAddr).Port), func(string) {}, func(context.Context, launch.Instance, *ssh.Client) error {
		t.Error("used a connection that cannot exist")
		return nil
	})
	if !errors.Is(err, context.Canceled) || inst.ID == "" {
		t.Fatalf("instance %q, err %v", inst.ID, err)
	}
	if instances, keys := e.Live(); len(instances) != 0 || len(keys) != 0 {
		t.Errorf("left behind: %v %v", instances, keys)
	}
}

// A failing RunInstances still deletes the key pair; the error names the image.
func TestFailedRunDeletesKeyPair(t *testing.T) {
	e, c := setup(t)
	e.Fail("RunInstances", &alicloudfake.APIError{Status: 403, Code: "QuotaExceed.PostPaidInstance", Message: "Living instances quota exceeded."})
	_, err := launch.Run(context.Background(), c.ECS, spec(22), func(string) {}, nil)
	if err == nil || !strings.Contains(err.Error(), imageID) || !strings.Contains(err.Error(), "QuotaExceed") {
		t.Fatalf("err %v", err)
	}
	if _, keys := e.Live(); len(keys) != 0 {
		t.Errorf("key pair left: %v", keys)
	}
	if acts := e.Actions(); !slices.Equal(acts, []string{"CreateKeyPair", "RunInstances", "DeleteKeyPairs"}) {
		t.Errorf("actions %v", acts)
	}
	for _, call := range e.Calls() {
		if call.Action == "RunInstances" && call.Params.Get("PasswordInherit") != "false" {
			t.Errorf("PasswordInherit %q", call.Params.Get("PasswordInherit"))
		}
	}
}
