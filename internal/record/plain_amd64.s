//go:build !purego

#include "textflag.h"

// The bytes plainAVX2 compares with: space, quote, backslash.
DATA plainBytes<>+0(SB)/1, $0x20
DATA plainBytes<>+1(SB)/1, $0x22
DATA plainBytes<>+2(SB)/1, $0x5c
GLOBL plainBytes<>(SB), RODATA|NOPTR, $3

// func plainAVX2(s string) int
//
// The index of the first byte of s that a JSON string cannot hold as it
// is (below 0x20, 0x80 and up, '"' or '\'), looking at whole 32-byte
// steps only; len(s) rounded down to 32 when they hold none. A signed
// compare with 0x20 catches both ranges at once: bytes of 0x80 and up
// are negative.
TEXT ·plainAVX2(SB), NOSPLIT, $0-24
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), CX
	ANDQ $-32, CX
	XORQ AX, AX

	VPBROADCASTB plainBytes<>+0(SB), Y1
	VPBROADCASTB plainBytes<>+1(SB), Y2
	VPBROADCASTB plainBytes<>+2(SB), Y3

loop:
	CMPQ AX, CX
	JAE  done
	VMOVDQU  (SI)(AX*1), Y0
	VPCMPGTB Y0, Y1, Y4
	VPCMPEQB Y0, Y2, Y5
	VPCMPEQB Y0, Y3, Y6
	VPOR     Y4, Y5, Y5
	VPOR     Y5, Y6, Y6
	VPMOVMSKB Y6, DX
	TESTL    DX, DX
	JNZ      found
	ADDQ     $32, AX
	JMP      loop

found:
	BSFL DX, DX
	ADDQ DX, AX

done:
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET
