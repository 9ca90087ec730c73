//go:generate packer-sdc struct-markdown

package postprocessor

import (
	"fmt"
	"regexp"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// Verify modes of Alibaba Cloud custom images.
const (
	AlicloudVerifyMetadata = "metadata"
	AlicloudVerifyLaunch   = "launch"
)

// Defaults of the alicloud block's launch settings.
const (
	DefaultAlicloudSSHUsername   = "root"
	DefaultAlicloudSSHPort       = 22
	DefaultAlicloudLaunchTimeout = 10 * time.Minute
)

// AlicloudConfig is the `alicloud { ... }` block: how Alibaba Cloud custom images
// (artifacts of the alicloud-ecs builder, builder id `alibaba.alicloud`) are judged. The
// region is the artifact's: every image is looked at in its own region.
type AlicloudConfig struct {
	// An AccessKey of a RAM user or role with the minimal policy of the docs. Default:
	// `ALICLOUD_ACCESS_KEY`, `ALICLOUD_SECRET_KEY` and `ALICLOUD_SECURITY_TOKEN` (as the
	// alicloud Packer plugin reads them), then the SDK's default chain
	// (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
	// `ALIBABA_CLOUD_SECURITY_TOKEN`, the credentials file, the ECS instance's RAM role).
	AccessKey string `mapstructure:"access_key"`
	// The secret of `access_key`. Never logged.
	SecretKey string `mapstructure:"secret_key"`
	// The STS security token that goes with a temporary `access_key`.
	SecurityToken string `mapstructure:"security_token"`
	// Endpoint overrides for ECS and STS: a host (`ecs-vpc.cn-hangzhou.aliyuncs.com`, over
	// HTTPS) or a URL (`http://127.0.0.1:8080`, a local fake in tests). Default: Alibaba
	// Cloud's endpoint of the artifact's region.
	EndpointECS string `mapstructure:"endpoint_ecs"`
	EndpointSTS string `mapstructure:"endpoint_sts"`
	// Alibaba Cloud account IDs the image may be shared with. The image owner is always
	// allowed. Sharing with any other account (`alicloud-image-shared`, high), or a public
	// or community image (`alicloud-image-public`, critical), fails the build.
	AllowedAccountIDs []string `mapstructure:"allowed_account_ids"`
	// Run even with the account's own AccessKey (`GetCallerIdentity` IdentityType
	// `Account`). Default: `false`: the build fails before anything is looked at.
	AllowRootCredentials bool `mapstructure:"allow_root_credentials"`
	// In `metadata` mode the filesystem is not read, so a passing image is NOT approved
	// (its approval tags are removed) unless this is `true`; then `sanitize:verified`
	// ends with `metadata-only`, so the tag itself says what was verified. Default: `false`.
	ApproveMetadataOnly bool `mapstructure:"approve_metadata_only"`
	// Launch mode: the instance type of the temporary instance (`ecs.t6-c1m1.large`).
	InstanceType string `mapstructure:"instance_type"`
	// Launch mode: the vSwitch (and so the VPC and zone) of the temporary instance.
	VSwitchID string `mapstructure:"vswitch_id"`
	// Launch mode: its security group; it must let this machine reach `ssh_port`.
	SecurityGroupID string `mapstructure:"security_group_id"`
	// Launch mode: give the instance a public IP (`InternetMaxBandwidthOut` 1) and connect
	// to it; otherwise connect to its private IP (Packer runs in the VPC). Default: `false`.
	AssociatePublicIP bool `mapstructure:"associate_public_ip"`
	// Launch mode: the account to log in as (it must be root or have passwordless sudo).
	// Default: `root`.
	SSHUsername string `mapstructure:"ssh_username"`
	// Launch mode: the SSH port of the instance. Default: `22`.
	SSHPort int `mapstructure:"ssh_port"`
	// Launch mode: how long to wait for the instance to run and answer over SSH.
	// Default: `10m`.
	LaunchTimeout time.Duration `mapstructure:"launch_timeout"`

	poll time.Duration // DescribeInstances and SSH retry interval; tests shorten it
}

func (a *AlicloudConfig) settings() alicloud.Settings {
	return alicloud.Settings{
		Credentials: alicloud.Credentials{AccessKey: a.AccessKey, SecretKey: a.SecretKey, SecurityToken: a.SecurityToken},
		Endpoints:   alicloud.Endpoints{ECS: a.EndpointECS, STS: a.EndpointSTS},
	}
}

func (a *AlicloudConfig) policy() ecsimage.Policy {
	return ecsimage.Policy{AllowedAccountIDs: a.AllowedAccountIDs}
}

var alicloudAccountRE = regexp.MustCompile(`^[0-9]{10,20}$`)

// prepare applies the defaults and returns every configuration error; mode is
// alicloud_verify_mode, already defaulted.
func (a *AlicloudConfig) prepare(mode string) []error {
	if a.SSHUsername == "" {
		a.SSHUsername = DefaultAlicloudSSHUsername
	}
	if a.SSHPort == 0 {
		a.SSHPort = DefaultAlicloudSSHPort
	}
	if a.LaunchTimeout == 0 {
		a.LaunchTimeout = DefaultAlicloudLaunchTimeout
	}
	var errs []error
	if mode != AlicloudVerifyMetadata && mode != AlicloudVerifyLaunch {
		errs = append(errs, fmt.Errorf("alicloud_verify_mode: %q is not one of metadata, launch", mode))
	}
	if (a.AccessKey == "") != (a.SecretKey == "") {
		errs = append(errs, fmt.Errorf("alicloud: access_key and secret_key go together"))
	}
	for _, ep := range []struct{ name, url string }{{"endpoint_ecs", a.EndpointECS}, {"endpoint_sts", a.EndpointSTS}} {
		if ep.url == "" {
			continue
		}
		if _, _, err := alicloud.ParseEndpoint(ep.url); err != nil {
			errs = append(errs, fmt.Errorf("alicloud.%s: %w", ep.name, err))
		}
	}
	for i, id := range a.AllowedAccountIDs {
		if !alicloudAccountRE.MatchString(id) {
			errs = append(errs, fmt.Errorf("alicloud.allowed_account_ids[%d]: %q is not an Alibaba Cloud account ID", i, id))
		}
	}
	if a.SSHPort < 1 || a.SSHPort > 65535 {
		errs = append(errs, fmt.Errorf("alicloud.ssh_port: %d is not a port", a.SSHPort))
	}
	if a.LaunchTimeout < 0 {
		errs = append(errs, fmt.Errorf("alicloud.launch_timeout: negative"))
	}
	if mode == AlicloudVerifyLaunch {
		for _, f := range []struct{ name, value string }{{"instance_type", a.InstanceType}, {"vswitch_id", a.VSwitchID}, {"security_group_id", a.SecurityGroupID}} {
			if f.value == "" {
				errs = append(errs, fmt.Errorf(`alicloud.%s is required with alicloud_verify_mode = "launch"`, f.name))
			}
		}
	}
	return errs
}

// validateAlicloudTags applies ECS's tag rules to approve_tags and quarantine_tags when
// the artifact may be an Alibaba image: the rules differ from EC2's (values up to 128
// characters, no aliyun/acs: prefix).
func validateAlicloudTags(field string, tags map[string]string) []error {
	var errs []error
	for k, v := range tags {
		if err := ecsimage.ValidateTags(map[string]string{k: v}); err != nil {
			errs = append(errs, fmt.Errorf("%s (Alibaba Cloud): %w", field, err))
		}
		if k == ecsimage.VerifiedTag {
			errs = append(errs, fmt.Errorf("%s: %s is written by the plugin", field, k))
		}
	}
	return errs
}

// isAlicloudCheck tells the Alibaba image-level check IDs, which allow rules may name.
func isAlicloudCheck(id string) bool {
	for _, c := range ecsimage.Checks {
		if c.ID == id {
			return true
		}
	}
	return false
}
