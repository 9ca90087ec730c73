// Package alicloud is the Alibaba Cloud side of the sanitize-verify post-processor: it
// connects the real SDK clients (ECS 2014-05-26, STS 2015-04-01, classic RPC signature),
// refuses the account's own AccessKey, and hands out the image checks and the gate of
// package ecsimage; package launch runs launch mode's temporary instance.
//
// # What the post-processor calls
//
//	refs, err := ecsimage.ParseArtifactID(artifact.Id())  // "cn-hangzhou:m-…,ap-southeast-1:m-…"
//	sess := alicloud.NewSession(alicloud.Settings{Credentials: c, Endpoints: ep})
//	for _, ref := range refs {
//		c, err := sess.Clients(ref.Region)
//		id, err := c.CheckCaller(allowRoot)              // errors.Is(err, ErrRootCredentials)
//		img, err := c.Inspect(ctx, ref, ecsimage.Policy{…}) // img.Findings, img.Snapshots
//		// launch mode: launch.Run(ctx, c.ECS, spec, say, use) with an SSH client
//		err = c.Approve(ctx, img, approveTags, digest, metadataOnly)
//		err = c.Quarantine(ctx, img, quarantineTags, approveTagKeys)
//	}
//
// # Fail closed
//
// An image that does not exist, is not a custom image of the caller's account, or whose
// share permissions cannot be read is an error, never a clean report. No API reads a
// snapshot's blocks: what metadata mode does not read is said, never implied.
package alicloud
