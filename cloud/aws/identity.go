package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STSAPI is the part of the STS client (*sts.Client) CheckCaller uses.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Identity is who the credentials belong to.
type Identity struct {
	ARN     string `json:"arn"`
	Account string `json:"account"`
	UserID  string `json:"user_id"`
}

// Root tells whether the identity is an account's root user (ARN arn:…:iam::…:root).
func (id Identity) Root() bool {
	return strings.HasSuffix(id.ARN, ":root") && strings.Contains(id.ARN, ":iam::")
}

// ErrRootCredentials is returned by CheckCaller for an account's root credentials.
var ErrRootCredentials = errors.New("refusing to run with the account's root credentials")

// CheckCaller asks STS who the credentials belong to, and refuses an account's root user
// unless allowRoot: the plugin tags and reads images, which a least-privilege role can
// do (see the docs' IAM policy).
func CheckCaller(ctx context.Context, api STSAPI, allowRoot bool) (Identity, error) {
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("aws: sts:GetCallerIdentity: %w", err)
	}
	id := Identity{ARN: awssdk.ToString(out.Arn), Account: awssdk.ToString(out.Account), UserID: awssdk.ToString(out.UserId)}
	if id.ARN == "" {
		return id, errors.New("aws: sts:GetCallerIdentity returned no ARN")
	}
	if id.Root() && !allowRoot {
		return id, fmt.Errorf("%w (%s): use an IAM role or user with the minimal policy from the docs, or set allow_root_credentials = true", ErrRootCredentials, id.ARN)
	}
	return id, nil
}

// CheckCaller is CheckCaller with these clients.
func (c *Clients) CheckCaller(ctx context.Context, allowRoot bool) (Identity, error) {
	return CheckCaller(ctx, c.STS, allowRoot)
}
