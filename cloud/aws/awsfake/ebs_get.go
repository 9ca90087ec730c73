package awsfake

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// Fault makes GetSnapshotBlock of one block misbehave, Times times (negative: always),
// then answer normally. Exactly one kind should be set.
type Fault struct {
	Times int
	// Status and Code answer with an error, e.g. 503 "InternalServerException" or 400
	// "RequestThrottledException".
	Status int
	Code   string
	// WrongChecksum sends the block with the checksum of other bytes.
	WrongChecksum bool
	// Truncate sends the headers and half of the block, then closes the connection.
	Truncate bool
	// HangUp closes the connection without answering.
	HangUp bool
}

// FailBlock installs a fault on block index of snapshot id.
func (e *EBS) FailBlock(id string, index int32, f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[blockKey{id, index}] = &f
}

// Gets counts the GetSnapshotBlock calls for block index of snapshot id.
func (e *EBS) Gets(id string, index int32) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gets[blockKey{id, index}]
}

// TotalGets counts every GetSnapshotBlock call.
func (e *EBS) TotalGets() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.gets {
		n += c
	}
	return n
}

// Lists counts ListSnapshotBlocks calls.
func (e *EBS) Lists() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lists
}

// MaxInFlight is the most GetSnapshotBlock calls seen at once: it shows the client's
// parallelism.
func (e *EBS) MaxInFlight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.maxInFlight
}

func (e *EBS) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := strconv.ParseInt(r.PathValue("index"), 10, 32)
	if err != nil {
		jsonError(w, http.StatusBadRequest, "ValidationException", "bad block index")
		return
	}
	key := blockKey{id, int32(n)}
	e.mu.Lock()
	e.gets[key]++
	e.inFlight++
	e.maxInFlight = max(e.maxInFlight, e.inFlight)
	snap, fault, latency := e.snapshots[id], e.takeFault(key), e.Latency
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.inFlight--
		e.mu.Unlock()
	}()

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if snap == nil {
		jsonError(w, http.StatusNotFound, "ResourceNotFoundException", "The snapshot '"+id+"' does not exist.")
		return
	}
	data, ok := snap.data[key.index]
	valid, expired := checkToken(id, key.index, r.URL.Query().Get("blockToken"))
	switch {
	case !ok || !valid:
		jsonError(w, http.StatusBadRequest, "ValidationException", "The block token is not valid for this block.")
		return
	case expired:
		jsonError(w, http.StatusBadRequest, "ValidationException", "The block token has expired.")
		return
	}
	sum := snap.sums[key.index]
	switch {
	case fault == nil:
	case fault.Status != 0:
		jsonError(w, fault.Status, fault.Code, "injected fault")
		return
	case fault.HangUp:
		hangUp(w)
		return
	case fault.WrongChecksum:
		sum = wrongSum(snap, key.index)
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("x-amz-Checksum", sum)
	h.Set("x-amz-Checksum-Algorithm", "SHA256")
	h.Set("x-amz-Data-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if fault != nil && fault.Truncate {
		w.Write(data[:len(data)/2])
		hangUp(w)
		return
	}
	w.Write(data)
}

// takeFault returns the fault to apply now, using up one of its times. Caller holds mu.
func (e *EBS) takeFault(key blockKey) *Fault {
	f := e.faults[key]
	if f == nil || f.Times == 0 {
		return nil
	}
	if f.Times > 0 {
		f.Times--
	}
	return f
}

// wrongSum is the checksum of another block (or of zeros when the block is alone): a
// well-formed checksum that does not match.
func wrongSum(snap *snapshotData, index int32) string {
	for _, b := range snap.blocks {
		if snap.sums[b] != snap.sums[index] {
			return snap.sums[b]
		}
	}
	return zeroBlockSum
}

// zeroBlockSum is base64(SHA256(512 KiB of zeros)).
var zeroBlockSum = func() string {
	sum := sha256.Sum256(make([]byte, BlockSize))
	return base64.StdEncoding.EncodeToString(sum[:])
}()

// hangUp drops the connection under the handler, as a network failure would; what was
// written before is flushed first (Hijack does that).
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
