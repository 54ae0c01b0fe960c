//go:build !purego

#include "textflag.h"

// func probe256(data []byte, t *probeTable) (pos int, found bool, newlines int)
//
// For each 32-byte window at p: for each of the 6 pairs k, compare the
// window with first[k] and the window at p+dist[k] with second[k], AND
// the two, OR all pairs; the lowest set bit is the answer. The newlines
// of each window before the answer are counted on the way. The table's
// layout is probeTable's: first [6][32]byte, second [6][32]byte,
// dist [6]int, maxDist int, newline [32]byte.
TEXT ·probe256(SB), NOSPLIT, $0-56
	MOVQ data_base+0(FP), SI
	MOVQ data_len+8(FP), DI
	MOVQ t+24(FP), R11

	// DI is the last window: its farthest load ends at the end of data.
	SUBQ $32, DI
	SUBQ 432(R11), DI
	ADDQ SI, DI

	VMOVDQU 0(R11), Y4
	VMOVDQU 32(R11), Y5
	VMOVDQU 64(R11), Y6
	VMOVDQU 96(R11), Y7
	VMOVDQU 128(R11), Y8
	VMOVDQU 160(R11), Y9
	VMOVDQU 192(R11), Y10
	VMOVDQU 224(R11), Y11
	VMOVDQU 256(R11), Y12
	VMOVDQU 288(R11), Y13
	VMOVDQU 320(R11), Y14
	VMOVDQU 352(R11), Y15
	MOVQ 384(R11), BX
	MOVQ 392(R11), CX
	MOVQ 400(R11), DX
	MOVQ 408(R11), R8
	MOVQ 416(R11), R9
	MOVQ 424(R11), R10

	MOVQ SI, R13 // the window
	XORQ R12, R12 // newlines so far

loop:
	CMPQ R13, DI
	JGT  notfound
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

	VPCMPEQB  440(R11), Y0, Y1
	VPMOVMSKB Y1, R14
	VPMOVMSKB Y3, AX
	TESTL     AX, AX
	JNZ       found
	POPCNTL   R14, R14
	ADDQ      R14, R12
	ADDQ      $32, R13
	JMP       loop

found:
	BSFL AX, CX
	// Only the newlines below the answer's bit count.
	MOVL  $1, DX
	SHLL  CX, DX
	DECL  DX
	ANDL  DX, R14
	POPCNTL R14, R14
	ADDQ  R14, R12
	SUBQ  SI, R13
	ADDQ  CX, R13
	MOVQ  R13, pos+32(FP)
	MOVB  $1, found+40(FP)
	MOVQ  R12, newlines+48(FP)
	VZEROUPPER
	RET

notfound:
	SUBQ SI, R13
	MOVQ R13, pos+32(FP)
	MOVB $0, found+40(FP)
	MOVQ R12, newlines+48(FP)
	VZEROUPPER
	RET
