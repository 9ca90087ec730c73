// Package awsfake holds httptest fakes of exactly the AWS endpoints the plugin calls,
// speaking the real wire protocols so the real aws-sdk-go-v2 clients can be pointed at
// them: EBS direct (REST-JSON), EC2 (Query with XML answers) and STS GetCallerIdentity
// (Query with XML answers). Each fake is an http.Handler; Serve starts one on 127.0.0.1.
package awsfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BlockSize is the EBS direct block size (512 KiB), as AWS serves it.
const BlockSize = 512 << 10

// EBS fakes ListSnapshotBlocks and GetSnapshotBlock over snapshots added with
// AddBlocks or AddSnapshotFile. Only blocks holding a non-zero byte are listed, as
// EBS lists only written blocks.
type EBS struct {
	// Latency delays every GetSnapshotBlock answer (the benchmark's 100 ms).
	Latency time.Duration
	// PageSize caps the blocks per ListSnapshotBlocks page (default 1000); a smaller
	// maxResults in the request wins.
	PageSize int
	// TokenTTL makes block tokens expire that long after they were listed, with the
	// ValidationException EBS gives (default: a day).
	TokenTTL time.Duration

	mu          sync.Mutex
	snapshots   map[string]*snapshotData
	faults      map[blockKey]*Fault
	gets        map[blockKey]int
	lists       int
	inFlight    int
	maxInFlight int
	auth        authLog
	mux         *http.ServeMux
}

type snapshotData struct {
	volumeGiB int64
	blocks    []int32 // sorted
	data      map[int32][]byte
	sums      map[int32]string
}

type blockKey struct {
	snapshot string
	index    int32
}

// NewEBS returns an empty fake.
func NewEBS() *EBS {
	e := &EBS{snapshots: map[string]*snapshotData{}, faults: map[blockKey]*Fault{}, gets: map[blockKey]int{}}
	e.mux = http.NewServeMux()
	e.mux.HandleFunc("GET /snapshots/{id}/blocks", e.list)
	e.mux.HandleFunc("GET /snapshots/{id}/blocks/{index}", e.get)
	e.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		jsonError(w, http.StatusNotFound, "UnknownOperationException", r.Method+" "+r.URL.Path)
	})
	return e
}

// AddBlocks serves a snapshot of volumeGiB GiB holding the given blocks (each padded or
// cut to BlockSize), even all-zero ones, as EBS lists every block ever written; every
// other block reads as zeros.
func (e *EBS) AddBlocks(id string, volumeGiB int64, blocks map[int32][]byte) {
	snap := &snapshotData{volumeGiB: volumeGiB, data: map[int32][]byte{}, sums: map[int32]string{}}
	indexes := keysOf32(blocks)
	for _, i := range indexes {
		b := make([]byte, BlockSize)
		copy(b, blocks[i])
		snap.add(i, b)
	}
	e.mu.Lock()
	e.snapshots[id] = snap
	e.mu.Unlock()
}

func keysOf32[V any](m map[int32]V) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (s *snapshotData) add(index int32, block []byte) {
	data := slices.Clone(block)
	sum := sha256.Sum256(data)
	s.blocks = append(s.blocks, index)
	s.data[index] = data
	s.sums[index] = base64.StdEncoding.EncodeToString(sum[:])
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Block returns a copy of block index of snapshot id, or nil when the snapshot does not
// hold it (it reads as zeros).
func (e *EBS) Block(id string, index int32) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.snapshots[id]; s != nil {
		return slices.Clone(s.data[index])
	}
	return nil
}

// Blocks lists the block indexes snapshot id holds.
func (e *EBS) Blocks(id string) []int32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.snapshots[id]; s != nil {
		return slices.Clone(s.blocks)
	}
	return nil
}

// ServeHTTP routes the two EBS direct read calls.
func (e *EBS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.auth.check(w, r, jsonError) {
		return
	}
	e.mux.ServeHTTP(w, r)
}

type listedBlock struct {
	BlockIndex int32
	BlockToken string
}

func (e *EBS) list(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.mu.Lock()
	e.lists++
	snap := e.snapshots[id]
	pageSize, ttl := e.PageSize, e.TokenTTL
	e.mu.Unlock()
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	expiry := time.Now().Add(ttl)
	if snap == nil {
		jsonError(w, http.StatusNotFound, "ResourceNotFoundException", "The snapshot '"+id+"' does not exist.")
		return
	}
	if pageSize <= 0 {
		pageSize = 1000
	}
	q := r.URL.Query()
	if m, err := strconv.Atoi(q.Get("maxResults")); err == nil && m > 0 && m < pageSize {
		pageSize = m
	}
	start := int32(0)
	for _, param := range []string{"startingBlockIndex", "pageToken"} {
		if v := q.Get(param); v != "" {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				jsonError(w, http.StatusBadRequest, "ValidationException", "bad "+param)
				return
			}
			start = max(start, int32(n))
		}
	}
	i, _ := slices.BinarySearch(snap.blocks, start)
	out := map[string]any{
		"BlockSize":  BlockSize,
		"VolumeSize": snap.volumeGiB,
		"ExpiryTime": float64(expiry.UnixMilli()) / 1000,
	}
	blocks := []listedBlock{}
	for ; i < len(snap.blocks) && len(blocks) < pageSize; i++ {
		blocks = append(blocks, listedBlock{snap.blocks[i], token(id, snap.blocks[i], expiry)})
	}
	if i < len(snap.blocks) {
		out["NextToken"] = strconv.Itoa(int(snap.blocks[i]))
	}
	out["Blocks"] = blocks
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// token is the block token of a block: opaque to the client, carrying its expiry,
// checked on GetSnapshotBlock.
func token(id string, index int32, expiry time.Time) string {
	exp := strconv.FormatInt(expiry.UnixNano(), 36)
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%s", id, index, exp))
	return "AAUBA" + hex.EncodeToString(sum[:12]) + "." + exp
}

// checkToken tells whether tok is a token of this block, and whether it has expired.
func checkToken(id string, index int32, tok string) (valid, expired bool) {
	_, exp, ok := strings.Cut(tok, ".")
	if !ok {
		return false, false
	}
	nanos, err := strconv.ParseInt(exp, 36, 64)
	if err != nil {
		return false, false
	}
	expiry := time.Unix(0, nanos)
	return tok == token(id, index, expiry), time.Now().After(expiry)
}

// jsonError writes a REST-JSON error the way AWS does: the code in X-Amzn-ErrorType.
func jsonError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
