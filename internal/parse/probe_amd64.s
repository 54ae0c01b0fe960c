//go:build !purego

#include "textflag.h"

// func probe(data []byte, t *probeTable) (pos int, found bool)
//
// For each 32-byte window at x: for each of the 6 pairs k, compare the
// window with first[k] and the window at x+dist[k] with second[k], AND
// the two, OR all pairs; the lowest set bit is the answer. The table's
// layout is probeTable's: first [6][32]byte, second [6][32]byte,
// dist [6]int, maxDist int.
TEXT ·probe(SB), NOSPLIT, $0-41
	MOVQ data_base+0(FP), SI
	MOVQ data_len+8(FP), DI
	MOVQ t+24(FP), AX

	// The last window starts at len-32-maxDist: its farthest load ends
	// at len.
	SUBQ $32, DI
	SUBQ 432(AX), DI

	VMOVDQU 0(AX), Y4
	VMOVDQU 32(AX), Y5
	VMOVDQU 64(AX), Y6
	VMOVDQU 96(AX), Y7
	VMOVDQU 128(AX), Y8
	VMOVDQU 160(AX), Y9
	VMOVDQU 192(AX), Y10
	VMOVDQU 224(AX), Y11
	VMOVDQU 256(AX), Y12
	VMOVDQU 288(AX), Y13
	VMOVDQU 320(AX), Y14
	VMOVDQU 352(AX), Y15
	MOVQ 384(AX), BX
	MOVQ 392(AX), CX
	MOVQ 400(AX), DX
	MOVQ 408(AX), R8
	MOVQ 416(AX), R9
	MOVQ 424(AX), R10

	XORQ R12, R12

loop:
	CMPQ R12, DI
	JGT  notfound
	LEAQ (SI)(R12*1), R13
	VMOVDQU (R13), Y0

	VPCMPEQB Y0, Y4, Y1
	VPCMPEQB (R13)(BX*1), Y10, Y2
	VPAND    Y1, Y2, Y3

	VPCMPEQB Y0, Y5, Y1
	VPCMPEQB (R13)(CX*1), Y11, Y2
	VPAND    Y1, Y2, Y1
	VPOR     Y1, Y3, Y3

	VPCMPEQB Y0, Y6, Y1
	VPCMPEQB (R13)(DX*1), Y12, Y2
	VPAND    Y1, Y2, Y1
	VPOR     Y1, Y3, Y3

	VPCMPEQB Y0, Y7, Y1
	VPCMPEQB (R13)(R8*1), Y13, Y2
	VPAND    Y1, Y2, Y1
	VPOR     Y1, Y3, Y3

	VPCMPEQB Y0, Y8, Y1
	VPCMPEQB (R13)(R9*1), Y14, Y2
	VPAND    Y1, Y2, Y1
	VPOR     Y1, Y3, Y3

	VPCMPEQB Y0, Y9, Y1
	VPCMPEQB (R13)(R10*1), Y15, Y2
	VPAND    Y1, Y2, Y1
	VPOR     Y1, Y3, Y3

	VPMOVMSKB Y3, AX
	TESTL     AX, AX
	JNZ       found
	ADDQ      $32, R12
	JMP       loop

found:
	BSFL AX, AX
	ADDQ R12, AX
	MOVQ AX, pos+32(FP)
	MOVB $1, found+40(FP)
	VZEROUPPER
	RET

notfound:
	MOVQ R12, pos+32(FP)
	MOVB $0, found+40(FP)
	VZEROUPPER
	RET
