#include "textflag.h"

// func findPairsAVX512(b []byte, pairs *[16]byte, out []int32) (n int, scanned int)
//
// pairs holds eight byte pairs, first bytes in pairs[0:8] and second bytes in
// pairs[8:16] (unused slots repeat a used one). For every j from 1 on, 64 at a time,
// where b[j-1] and b[j] are one of the pairs, j is written to out. Whole 64-byte
// blocks only: it stops before a block that b cannot fill (j+64 > len(b)), or whose
// hits out might not hold, and returns the first j it did not look at.
TEXT ·findPairsAVX512(SB), NOSPLIT, $0-72
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ pairs+24(FP), BX
	MOVQ out_base+32(FP), DI
	MOVQ out_len+40(FP), R9
	XORQ R10, R10 // hits written
	MOVQ $1, R11  // j of the current block

	VPBROADCASTB 0(BX), Z16
	VPBROADCASTB 1(BX), Z17
	VPBROADCASTB 2(BX), Z18
	VPBROADCASTB 3(BX), Z19
	VPBROADCASTB 4(BX), Z20
	VPBROADCASTB 5(BX), Z21
	VPBROADCASTB 6(BX), Z22
	VPBROADCASTB 7(BX), Z23
	VPBROADCASTB 8(BX), Z24
	VPBROADCASTB 9(BX), Z25
	VPBROADCASTB 10(BX), Z26
	VPBROADCASTB 11(BX), Z27
	VPBROADCASTB 12(BX), Z28
	VPBROADCASTB 13(BX), Z29
	VPBROADCASTB 14(BX), Z30
	VPBROADCASTB 15(BX), Z31

loop:
	LEAQ 64(R11), R8
	CMPQ R8, CX
	JA   done
	MOVQ R9, R8
	SUBQ R10, R8
	CMPQ R8, $64
	JB   done
	VMOVDQU8 (SI)(R11*1), Z0  // second bytes
	VMOVDQU8 -1(SI)(R11*1), Z1 // first bytes
	VPCMPEQB Z24, Z0, K1
	VPCMPEQB Z16, Z1, K1, K1
	VPCMPEQB Z25, Z0, K2
	VPCMPEQB Z17, Z1, K2, K2
	KORQ     K2, K1, K1
	VPCMPEQB Z26, Z0, K2
	VPCMPEQB Z18, Z1, K2, K2
	KORQ     K2, K1, K1
	VPCMPEQB Z27, Z0, K2
	VPCMPEQB Z19, Z1, K2, K2
	KORQ     K2, K1, K1
	VPCMPEQB Z28, Z0, K3
	VPCMPEQB Z20, Z1, K3, K3
	VPCMPEQB Z29, Z0, K4
	VPCMPEQB Z21, Z1, K4, K4
	KORQ     K4, K3, K3
	VPCMPEQB Z30, Z0, K4
	VPCMPEQB Z22, Z1, K4, K4
	KORQ     K4, K3, K3
	VPCMPEQB Z31, Z0, K4
	VPCMPEQB Z23, Z1, K4, K4
	KORQ     K4, K3, K3
	KORQ     K3, K1, K1
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
