package aws_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	cloudaws "github.com/goldenimage/packer-plugin-sanitize/cloud/aws"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
)

// fakes is one set of the three fakes, served on 127.0.0.1.
type fakes struct {
	ec2 *awsfake.EC2
	ebs *awsfake.EBS
	sts *awsfake.STS
	ep  cloudaws.Endpoints
}

func startFakes(t *testing.T, callerARN string) *fakes {
	f := &fakes{ec2: awsfake.NewEC2(), ebs: awsfake.NewEBS(), sts: awsfake.NewSTS(callerARN)}
	f.ep = cloudaws.Endpoints{EC2: awsfake.Serve(t, f.ec2), EBS: awsfake.Serve(t, f.ebs), STS: awsfake.Serve(t, f.sts)}
	return f
}

// envCredentials makes the standard chain find these keys in the environment and
// nothing else: no shared files, no instance metadata.
func envCredentials(t *testing.T, keyID string) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestConnectUsesTheStandardChainAndEndpoints(t *testing.T) {
	envCredentials(t, "AKIAENVCHAINTEST0001")
	f := startFakes(t, "arn:aws:iam::111111111111:role/packer-build")
	c, err := cloudaws.NewSession(cloudaws.Settings{Endpoints: f.ep}).Clients(context.Background(), "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.CheckCaller(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "111111111111" || id.ARN != "arn:aws:iam::111111111111:role/packer-build" {
		t.Errorf("identity %+v", id)
	}
	if keys := f.sts.AccessKeys(); !slices.Equal(keys, []string{"AKIAENVCHAINTEST0001"}) {
		t.Errorf("STS saw keys %v, want the environment's", keys)
	}
	if c.Region != "eu-west-1" {
		t.Errorf("region %q", c.Region)
	}
	if _, err := cloudaws.Connect(context.Background(), "", cloudaws.Settings{}); err == nil {
		t.Error("no region accepted")
	}
}

func TestRootCredentialsAreRefused(t *testing.T) {
	envCredentials(t, "AKIAROOTTEST00000001")
	for _, tc := range []struct {
		arn       string
		allowRoot bool
		refused   bool
	}{
		{"arn:aws:iam::111111111111:root", false, true},
		{"arn:aws-us-gov:iam::111111111111:root", false, true},
		{"arn:aws:iam::111111111111:root", true, false},
		{"arn:aws:iam::111111111111:user/root", false, false}, // a user named root is not the root user
		{"arn:aws:sts::111111111111:assumed-role/build/session", false, false},
	} {
		f := startFakes(t, tc.arn)
		c, err := cloudaws.Connect(context.Background(), "us-east-1", cloudaws.Settings{Endpoints: f.ep})
		if err != nil {
			t.Fatal(err)
		}
		id, err := c.CheckCaller(context.Background(), tc.allowRoot)
		if refused := errors.Is(err, cloudaws.ErrRootCredentials); refused != tc.refused {
			t.Errorf("%s allowRoot=%v: err %v, want refused=%v", tc.arn, tc.allowRoot, err, tc.refused)
		}
		if id.ARN != tc.arn {
			t.Errorf("identity %+v", id)
		}
	}
}
