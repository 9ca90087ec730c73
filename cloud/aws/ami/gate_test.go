package ami_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
)

var approveTags = map[string]string{"status": "approved", "security-level": "trusted"}

const digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func gateFixture(t *testing.T) (*awsfake.EC2, ami.Gate, *ami.ImageReport) {
	t.Helper()
	fake := awsfake.NewEC2()
	fake.AddImage(cleanImage())
	c := ec2Client(t, fake)
	rep, err := ami.Inspect(context.Background(), c, ref, policy)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600)) }
	return fake, ami.Gate{EC2: c, Now: now}, rep
}

func TestApproveTagsImageAndEverySnapshot(t *testing.T) {
	fake, gate, rep := gateFixture(t)
	if err := gate.Approve(context.Background(), rep, approveTags, digest); err != nil {
		t.Fatal(err)
	}
	want := maps.Clone(approveTags)
	want[ami.VerifiedTag] = digest + " 2026-11-01T11:00:00Z"
	for _, got := range []map[string]string{fake.ImageTags(imageID), fake.SnapshotTags(rootSnap), fake.SnapshotTags(dataSnap)} {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("tag %s = %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
	}
	if fake.ImageTags(imageID)["team"] != "platform" {
		t.Error("Approve removed an unrelated tag")
	}
	calls := fake.TagCalls()
	if len(calls) != 1 || calls[0].Action != "CreateTags" || !slices.Equal(calls[0].Resources, []string{imageID, rootSnap, dataSnap}) {
		t.Errorf("calls %+v: want one CreateTags on the image and both snapshots", calls)
	}
}

func TestQuarantineRemovesApprovalTags(t *testing.T) {
	fake, gate, rep := gateFixture(t)
	ctx := context.Background()
	if err := gate.Approve(ctx, rep, approveTags, digest); err != nil {
		t.Fatal(err)
	}
	quarantine := map[string]string{"status": "quarantined", "sanitize:reason": "residue"}
	if err := gate.Quarantine(ctx, rep, quarantine, slices.Collect(maps.Keys(approveTags))); err != nil {
		t.Fatal(err)
	}
	for id, got := range map[string]map[string]string{imageID: fake.ImageTags(imageID), rootSnap: fake.SnapshotTags(rootSnap), dataSnap: fake.SnapshotTags(dataSnap)} {
		if _, ok := got["security-level"]; ok {
			t.Errorf("%s keeps the approval tag security-level: %v", id, got)
		}
		if _, ok := got[ami.VerifiedTag]; ok {
			t.Errorf("%s keeps %s", id, ami.VerifiedTag)
		}
		if got["status"] != "quarantined" || got["sanitize:reason"] != "residue" {
			t.Errorf("%s quarantine tags: %v", id, got)
		}
	}
	calls := fake.TagCalls()
	if len(calls) != 3 || calls[1].Action != "DeleteTags" || calls[2].Action != "CreateTags" {
		t.Fatalf("calls %+v: want CreateTags (approve), DeleteTags, CreateTags", calls)
	}
	if _, ok := calls[1].Tags[ami.VerifiedTag]; !ok || len(calls[1].Resources) != 3 {
		t.Errorf("DeleteTags %+v", calls[1])
	}
}

func TestGateRefusesBadTagsBeforeAnyCall(t *testing.T) {
	fake, gate, rep := gateFixture(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"aws: prefix":       gate.Approve(ctx, rep, map[string]string{"aws:owner": "x"}, digest),
		"verified override": gate.Approve(ctx, rep, map[string]string{ami.VerifiedTag: "forged"}, digest),
		"no digest":         gate.Approve(ctx, rep, approveTags, ""),
		"long value":        gate.Quarantine(ctx, rep, map[string]string{"k": string(make([]byte, 300))}, nil),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if calls := fake.TagCalls(); len(calls) != 0 {
		t.Errorf("tag calls were made: %+v", calls)
	}
}
