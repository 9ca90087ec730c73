#include "textflag.h"

// func findPivotsAVX2(b []byte, set uint32, out []int32) (n int, scanned int)
//
// Compares 64 bytes at a time with the four bytes of set (one per byte of the word) and
// writes the offset of every byte equal to one of them to out. Whole 64-byte blocks
// only: it stops before a block that b cannot fill, or whose hits out might not hold.
TEXT ·findPivotsAVX2(SB), NOSPLIT, $0-72
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVL set+24(FP), AX
	MOVQ out_base+32(FP), DI
	MOVQ out_len+40(FP), R9
	XORQ R10, R10 // hits written
	XORQ R11, R11 // offset of the current block

	MOVQ AX, X0
	VPBROADCASTB X0, Y1
	SHRQ $8, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y2
	SHRQ $8, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y3
	SHRQ $8, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y4

loop:
	LEAQ 64(R11), R8
	CMPQ R8, CX
	JA   done
	MOVQ R9, R8
	SUBQ R10, R8
	CMPQ R8, $64
	JB   done
	VMOVDQU (SI)(R11*1), Y5
	VMOVDQU 32(SI)(R11*1), Y6
	VPCMPEQB Y1, Y5, Y7
	VPCMPEQB Y2, Y5, Y8
	VPOR     Y8, Y7, Y7
	VPCMPEQB Y3, Y5, Y8
	VPOR     Y8, Y7, Y7
	VPCMPEQB Y4, Y5, Y8
	VPOR     Y8, Y7, Y7
	VPCMPEQB Y1, Y6, Y9
	VPCMPEQB Y2, Y6, Y8
	VPOR     Y8, Y9, Y9
	VPCMPEQB Y3, Y6, Y8
	VPOR     Y8, Y9, Y9
	VPCMPEQB Y4, Y6, Y8
	VPOR     Y8, Y9, Y9
	VPOR     Y7, Y9, Y10
	VPTEST   Y10, Y10
	JZ       next
	VPMOVMSKB Y7, AX
	VPMOVMSKB Y9, DX
	SHLQ $32, DX
	ORQ  DX, AX

bits:
	BSFQ AX, DX
	ADDQ R11, DX
	MOVL DX, (DI)(R10*4)
	INCQ R10
	LEAQ -1(AX), DX
	ANDQ DX, AX
	JNZ  bits

next:
	ADDQ $64, R11
	JMP  loop

done:
	VZEROUPPER
	MOVQ R10, n+56(FP)
	MOVQ R11, scanned+64(FP)
	RET
