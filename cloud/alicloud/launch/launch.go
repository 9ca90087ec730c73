// Package launch runs a temporary ECS instance from a custom image with a new key pair
// (its private key kept in memory only) and PasswordInherit = false, waits for it to
// run, connects over SSH and hands the connection to the caller; then it deletes the
// instance and the key pair, also when the caller fails or the context is cancelled.
package launch

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"golang.org/x/crypto/ssh"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/apierror"
)

// ECSAPI is the part of the ECS client (*ecs.Client) launching calls.
type ECSAPI interface {
	CreateKeyPairWithContext(ctx context.Context, in *ecs.CreateKeyPairRequest, rt *dara.RuntimeOptions) (*ecs.CreateKeyPairResponse, error)
	DeleteKeyPairsWithContext(ctx context.Context, in *ecs.DeleteKeyPairsRequest, rt *dara.RuntimeOptions) (*ecs.DeleteKeyPairsResponse, error)
	RunInstancesWithContext(ctx context.Context, in *ecs.RunInstancesRequest, rt *dara.RuntimeOptions) (*ecs.RunInstancesResponse, error)
	DescribeInstancesWithContext(ctx context.Context, in *ecs.DescribeInstancesRequest, rt *dara.RuntimeOptions) (*ecs.DescribeInstancesResponse, error)
	DeleteInstanceWithContext(ctx context.Context, in *ecs.DeleteInstanceRequest, rt *dara.RuntimeOptions) (*ecs.DeleteInstanceResponse, error)
}

// Spec says what to launch and how to reach it.
type Spec struct {
	Region, ImageID                          string
	InstanceType, VSwitchID, SecurityGroupID string
	// PublicIP gives the instance a public IP and connects to it; otherwise the private IP.
	PublicIP bool
	SSHUser  string
	SSHPort  int
	// Timeout bounds the wait for Running and for SSH.
	Timeout time.Duration
	// Poll is the wait between DescribeInstances calls; 5 s when zero.
	Poll time.Duration
}

// Instance is what was launched.
type Instance struct {
	ID, KeyPairName, Address string
	// KeyFingerprint is the SHA256 fingerprint of the temporary key, so findings of its
	// authorized_keys line (put by cloud-init) can be told from residue.
	KeyFingerprint string
}

// cleanupTimeout bounds the deletions, which run even after ctx is cancelled.
const cleanupTimeout = 2 * time.Minute

// Run launches the instance, calls use with an SSH client logged in to it, and deletes
// the instance and the key pair whatever happens. say reports progress (never a secret).
func Run(ctx context.Context, api ECSAPI, spec Spec, say func(string), use func(context.Context, Instance, *ssh.Client) error) (inst Instance, err error) {
	if spec.Poll == 0 {
		spec.Poll = 5 * time.Second
	}
	rt := &dara.RuntimeOptions{}
	inst.KeyPairName = fmt.Sprintf("sanitize-verify-%d", time.Now().UnixNano())
	kp, err := api.CreateKeyPairWithContext(ctx, &ecs.CreateKeyPairRequest{RegionId: &spec.Region, KeyPairName: &inst.KeyPairName}, rt)
	if err != nil {
		return inst, fmt.Errorf("CreateKeyPair: %w", apierror.Clean(err))
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if inst.ID != "" {
			if derr := deleteInstance(cctx, api, inst.ID, spec.Poll); derr != nil {
				err = joinErr(err, fmt.Errorf("deleting the temporary instance %s: %w (delete it by hand)", inst.ID, derr))
			} else {
				say("Deleted the temporary instance " + inst.ID)
			}
		}
		names := jsonList(inst.KeyPairName)
		if _, derr := api.DeleteKeyPairsWithContext(cctx, &ecs.DeleteKeyPairsRequest{RegionId: &spec.Region, KeyPairNames: &names}, rt); derr != nil {
			err = joinErr(err, fmt.Errorf("deleting the temporary key pair %s: %w (delete it by hand)", inst.KeyPairName, apierror.Clean(derr)))
		} else {
			say("Deleted the temporary key pair " + inst.KeyPairName)
		}
	}()
	if kp.Body == nil || kp.Body.PrivateKeyBody == nil {
		return inst, fmt.Errorf("CreateKeyPair %s: no private key in the answer", inst.KeyPairName)
	}
	signer, err := ssh.ParsePrivateKey([]byte(*kp.Body.PrivateKeyBody))
	if err != nil {
		return inst, fmt.Errorf("CreateKeyPair %s: the private key does not parse: %v", inst.KeyPairName, redact(err))
	}
	inst.KeyFingerprint = ssh.FingerprintSHA256(signer.PublicKey())

	req := &ecs.RunInstancesRequest{RegionId: &spec.Region, ImageId: &spec.ImageID, InstanceType: &spec.InstanceType,
		VSwitchId: &spec.VSwitchID, SecurityGroupId: &spec.SecurityGroupID, KeyPairName: &inst.KeyPairName,
		PasswordInherit: dara.Bool(false), Amount: dara.Int32(1), InstanceChargeType: dara.String("PostPaid"),
		InstanceName: dara.String("sanitize-verify-" + spec.ImageID), ClientToken: dara.String(inst.KeyPairName),
		Tag: []*ecs.RunInstancesRequestTag{{Key: dara.String("sanitize:temporary"), Value: dara.String("true")}}}
	if spec.PublicIP {
		req.InternetMaxBandwidthOut = dara.Int32(1)
	}
	run, err := api.RunInstancesWithContext(ctx, req, rt)
	if err != nil {
		return inst, fmt.Errorf("RunInstances of %s: %w", spec.ImageID, apierror.Clean(err))
	}
	if run.Body == nil || run.Body.InstanceIdSets == nil || len(run.Body.InstanceIdSets.InstanceIdSet) != 1 {
		return inst, fmt.Errorf("RunInstances of %s: the answer names no single instance", spec.ImageID)
	}
	inst.ID = dara.StringValue(run.Body.InstanceIdSets.InstanceIdSet[0])
	say(fmt.Sprintf("Launched the temporary instance %s from %s (key pair %s, PasswordInherit false)", inst.ID, spec.ImageID, inst.KeyPairName))

	wctx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	if inst.Address, err = waitRunning(wctx, api, spec, inst.ID); err != nil {
		return inst, err
	}
	addr := net.JoinHostPort(inst.Address, strconv.Itoa(spec.SSHPort))
	say(fmt.Sprintf("%s is running; connecting to %s as %s", inst.ID, addr, spec.SSHUser))
	client, err := dialSSH(wctx, addr, spec.SSHUser, signer, spec.Poll)
	if err != nil {
		return inst, fmt.Errorf("connecting to %s (%s) over SSH: %w", inst.ID, addr, err)
	}
	defer client.Close()
	// An interrupted build must not wait for a command on the instance.
	stop := context.AfterFunc(ctx, func() { client.Close() })
	defer stop()
	if err := use(ctx, inst, client); err != nil {
		return inst, err
	}
	return inst, ctx.Err()
}

// waitRunning polls DescribeInstances until the instance runs, and returns its address.
func waitRunning(ctx context.Context, api ECSAPI, spec Spec, id string) (string, error) {
	ids := jsonList(id)
	for {
		out, err := api.DescribeInstancesWithContext(ctx, &ecs.DescribeInstancesRequest{RegionId: &spec.Region, InstanceIds: &ids}, &dara.RuntimeOptions{})
		if err != nil {
			return "", fmt.Errorf("DescribeInstances %s: %w", id, apierror.Clean(err))
		}
		if out.Body == nil || out.Body.Instances == nil || len(out.Body.Instances.Instance) != 1 {
			return "", fmt.Errorf("DescribeInstances %s: the instance is not listed", id)
		}
		in := out.Body.Instances.Instance[0]
		switch status := dara.StringValue(in.Status); status {
		case "Running":
			if addr := addressOf(in, spec.PublicIP); addr != "" {
				return addr, nil
			}
			return "", fmt.Errorf("%s runs but has no %s IP address", id, map[bool]string{true: "public", false: "private"}[spec.PublicIP])
		case "Pending", "Starting":
		default:
			return "", fmt.Errorf("%s is %s, not starting", id, status)
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for %s to run: %w", id, ctx.Err())
		case <-time.After(spec.Poll):
		}
	}
}

func addressOf(in *ecs.DescribeInstancesResponseBodyInstancesInstance, public bool) string {
	if public {
		if in.EipAddress != nil && dara.StringValue(in.EipAddress.IpAddress) != "" {
			return dara.StringValue(in.EipAddress.IpAddress)
		}
		if in.PublicIpAddress != nil && len(in.PublicIpAddress.IpAddress) > 0 {
			return dara.StringValue(in.PublicIpAddress.IpAddress[0])
		}
		return ""
	}
	if in.VpcAttributes != nil && in.VpcAttributes.PrivateIpAddress != nil && len(in.VpcAttributes.PrivateIpAddress.IpAddress) > 0 {
		return dara.StringValue(in.VpcAttributes.PrivateIpAddress.IpAddress[0])
	}
	return ""
}

// dialSSH retries until sshd answers (the instance boots) or ctx ends. The host key is
// not known beforehand: the instance made it at first boot, and the connection carries
// nothing secret to it but a command.
func dialSSH(ctx context.Context, addr, user string, signer ssh.Signer, poll time.Duration) (*ssh.Client, error) {
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 15 * time.Second}
	for {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			// The handshake has no context: a deadline bounds it, and cancelling ctx
			// closes the connection under it.
			conn.SetDeadline(time.Now().Add(cfg.Timeout))
			stop := context.AfterFunc(ctx, func() { conn.Close() })
			c, chans, reqs, herr := ssh.NewClientConn(conn, addr, cfg)
			stop()
			if herr == nil && ctx.Err() == nil {
				conn.SetDeadline(time.Time{})
				return ssh.NewClient(c, chans, reqs), nil
			}
			conn.Close()
			err = herr
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(poll):
		}
	}
}

// deleteInstance force-deletes the instance (it may still be starting: retry while ECS
// answers IncorrectInstanceStatus).
func deleteInstance(ctx context.Context, api ECSAPI, id string, poll time.Duration) error {
	for {
		_, err := api.DeleteInstanceWithContext(ctx, &ecs.DeleteInstanceRequest{InstanceId: &id, Force: dara.Bool(true)}, &dara.RuntimeOptions{})
		if err == nil || !strings.Contains(err.Error(), "IncorrectInstanceStatus") {
			return apierror.Clean(err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(poll):
		}
	}
}

// jsonList makes the JSON array of one string ECS takes for InstanceIds and KeyPairNames.
func jsonList(s string) string { return `["` + strings.ReplaceAll(s, `"`, ``) + `"]` }

func joinErr(a, b error) error {
	if a == nil {
		return b
	}
	return fmt.Errorf("%w; %w", a, b)
}

// redact keeps a key parser's error from quoting key material.
func redact(err error) string {
	if strings.Contains(err.Error(), "PRIVATE KEY") {
		return "malformed private key"
	}
	return err.Error()
}
