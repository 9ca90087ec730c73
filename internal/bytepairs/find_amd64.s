#include "textflag.h"

// BLOCK_FITS goes to done unless the 64-byte block at R11 lies within b (CX long) and
// out (R9 long, R10 written) has room for all its hits.
#define BLOCK_FITS(done) \
	LEAQ 64(R11), R8; \
	CMPQ R8, CX; \
	JA   done; \
	MOVQ R9, R8; \
	SUBQ R10, R8; \
	CMPQ R8, $64; \
	JB   done

// PAIRS32 leaves in dst a non-zero byte where a pair ends, for the 32 bytes at
// at(SI)(R11*1), the bytes before them being at before(SI)(R11*1): Y10 to Y13 hold the
// nibble tables (second low, second high, first low, first high), Y15 the 0x0f mask.
#define PAIRS32(at, before, dst) \
	VMOVDQU at(SI)(R11*1), Y0; \
	VMOVDQU before(SI)(R11*1), Y1; \
	VPSRLW  $4, Y0, Y2; \
	VPAND   Y15, Y0, Y0; \
	VPAND   Y15, Y2, Y2; \
	VPSHUFB Y0, Y10, Y0; \
	VPSHUFB Y2, Y11, Y2; \
	VPAND   Y2, Y0, Y0; \
	VPSRLW  $4, Y1, Y3; \
	VPAND   Y15, Y1, Y1; \
	VPAND   Y15, Y3, Y3; \
	VPSHUFB Y1, Y12, Y1; \
	VPSHUFB Y3, Y13, Y3; \
	VPAND   Y3, Y1, Y1; \
	VPAND   Y1, Y0, dst

// func findAVX512(b []byte, t *Table, out []int32) (n int, scanned int)
//
// For every j from 1 on, 64 at a time, where b[j-1] and b[j] are one of the pairs of t,
// j is written to out. Each byte is classed by two nibble lookups (VPSHUFB): bit i of
// its second-byte class is set when it is pair i's second byte, bit i of the class of
// the byte before it when that is pair i's first byte; a pair ends at j when both
// classes share a bit. Whole 64-byte blocks only: it stops before a block that b
// cannot fill (j+64 > len(b)), or whose hits out might not hold, and returns the first
// j it did not look at.
TEXT ·findAVX512(SB), NOSPLIT, $0-72
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ t+24(FP), BX
	MOVQ out_base+32(FP), DI
	MOVQ out_len+40(FP), R9
	XORQ R10, R10 // hits written
	MOVQ $1, R11  // j of the current block

	VBROADCASTI32X4 0(BX), Z20  // second byte: low nibble -> pairs
	VBROADCASTI32X4 16(BX), Z21 // second byte: high nibble -> pairs
	VBROADCASTI32X4 32(BX), Z22 // first byte: low nibble -> pairs
	VBROADCASTI32X4 48(BX), Z23 // first byte: high nibble -> pairs
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z24

loop:
	BLOCK_FITS(done)
	VMOVDQU8 (SI)(R11*1), Z0   // second bytes
	VMOVDQU8 -1(SI)(R11*1), Z1 // first bytes
	VPSRLW   $4, Z0, Z2
	VPANDQ   Z24, Z0, Z0
	VPANDQ   Z24, Z2, Z2
	VPSHUFB  Z0, Z20, Z0
	VPSHUFB  Z2, Z21, Z2
	VPANDQ   Z2, Z0, Z0
	VPSRLW   $4, Z1, Z3
	VPANDQ   Z24, Z1, Z1
	VPANDQ   Z24, Z3, Z3
	VPSHUFB  Z1, Z22, Z1
	VPSHUFB  Z3, Z23, Z3
	VPANDQ   Z3, Z1, Z1
	VPTESTMB Z1, Z0, K1
	KORTESTQ K1, K1
	JZ       next
	KMOVQ    K1, AX

bits:
	TZCNTQ AX, DX
	ADDQ   R11, DX
	MOVL   DX, (DI)(R10*4)
	INCQ   R10
	BLSRQ  AX, AX
	JNZ    bits

next:
	ADDQ $64, R11
	JMP  loop

done:
	VZEROUPPER
	MOVQ R10, n+56(FP)
	MOVQ R11, scanned+64(FP)
	RET

// func findAVX2(b []byte, t *Table, out []int32) (n int, scanned int)
//
// findAVX512 with 32-byte vectors, two to a 64-byte block.
TEXT ·findAVX2(SB), NOSPLIT, $0-72
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ t+24(FP), BX
	MOVQ out_base+32(FP), DI
	MOVQ out_len+40(FP), R9
	XORQ R10, R10 // hits written
	MOVQ $1, R11  // j of the current block

	VBROADCASTI128 0(BX), Y10
	VBROADCASTI128 16(BX), Y11
	VBROADCASTI128 32(BX), Y12
	VBROADCASTI128 48(BX), Y13
	MOVL $0x0f0f0f0f, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	VPXOR Y14, Y14, Y14

loop2:
	BLOCK_FITS(done2)

	PAIRS32(0, -1, Y4) // non-zero where a pair ends
	PAIRS32(32, 31, Y5)

	VPOR    Y4, Y5, Y6
	VPTEST  Y6, Y6
	JZ      next2
	VPCMPEQB Y14, Y4, Y4
	VPCMPEQB Y14, Y5, Y5
	VPMOVMSKB Y4, AX
	VPMOVMSKB Y5, DX
	NOTL AX
	NOTL DX
	SHLQ $32, DX
	ORQ  DX, AX

bits2:
	TZCNTQ AX, DX
	ADDQ   R11, DX
	MOVL   DX, (DI)(R10*4)
	INCQ   R10
	BLSRQ  AX, AX
	JNZ    bits2

next2:
	ADDQ $64, R11
	JMP  loop2

done2:
	VZEROUPPER
	MOVQ R10, n+56(FP)
	MOVQ R11, scanned+64(FP)
	RET
