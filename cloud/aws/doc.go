// Package aws is the AWS side of the sanitize-verify post-processor: it reads the EBS
// snapshots of an AMI as block devices, checks the AMI's and snapshots' sharing, refuses
// root credentials, and puts the approval or quarantine tags.
//
// The package is named aws like its directory; import it under another name next to the
// SDK's aws package, e.g. cloudaws.
//
// # What the post-processor calls
//
//	refs, err := ami.ParseArtifactID(artifact.Id())     // "us-east-1:ami-…,eu-west-1:ami-…"
//	sess := cloudaws.NewSession(cloudaws.Settings{Profile: p, Endpoints: ep})
//	for _, ref := range refs {
//		c, err := sess.Clients(ctx, ref.Region)           // standard credential chain
//		id, err := c.CheckCaller(ctx, allowRoot)         // errors.Is(err, ErrRootCredentials)
//		rep, err := c.Inspect(ctx, ref, ami.Policy{…})   // rep.Findings, rep.Snapshots
//		for _, s := range rep.Snapshots {
//			snap, err := c.OpenSnapshot(ctx, s.SnapshotID, ebsread.Options{})
//			// snap is an io.ReaderAt of snap.Size() bytes: hand it to the
//			// partition → filesystem → checks pipeline, then snap.Close().
//		}
//		err = c.Approve(ctx, rep, approveTags, reportDigest)               // clean
//		err = c.Quarantine(ctx, rep, quarantineTags, keys(approveTags))    // residue
//	}
//
// The pieces are usable alone: ebsread.Open takes any ebsread.API (the *ebs.Client),
// ami.Inspect and ami.Gate any ami.EC2API (the *ec2.Client), CheckCaller any STSAPI.
//
// # Fail closed
//
// An AMI that does not exist, has no EBS snapshot, or whose permissions cannot be read
// is an error, not a clean report. A block whose SHA256 does not match the checksum EBS
// sent is an error naming the snapshot and block (ebsread.ChecksumError), never retried
// into silence. Transient errors (throttling, 5xx, dropped connections, cut bodies) are
// retried with backoff a bounded number of times.
//
// # Minimal IAM policy
//
//	{
//	  "Version": "2012-10-17",
//	  "Statement": [
//	    {"Effect": "Allow", "Resource": "*", "Action": [
//	      "ec2:DescribeImages", "ec2:DescribeImageAttribute", "ec2:DescribeSnapshotAttribute",
//	      "ebs:ListSnapshotBlocks", "ebs:GetSnapshotBlock", "sts:GetCallerIdentity"]},
//	    {"Effect": "Allow", "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
//	     "Resource": ["arn:aws:ec2:*::image/*", "arn:aws:ec2:*::snapshot/*"]}
//	  ]
//	}
//
// Encrypted snapshots also need kms:Decrypt on their key for GetSnapshotBlock.
// Pair it with an SCP or permission boundary that allows ec2:RunInstances only on
// images carrying the approval tag (ec2:ResourceTag/<key>) and denies ec2:CreateTags /
// ec2:DeleteTags on images to everyone but the build role, so the tag cannot be forged.
package aws
