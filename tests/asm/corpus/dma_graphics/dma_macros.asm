; DMA helper macros, shared by the patch (incsrc'd from dma_graphics.asm)
includeonce

; hardware registers
INIDISP = $2100
VMAIN   = $2115
VMADDL  = $2116
CGADD   = $2121
WMADDL  = $2181
WMADDH  = $2183
MDMAEN  = $420B
DMAP0   = $4300
BBAD0   = $4301
A1T0L   = $4302
A1B0    = $4304
DAS0L   = $4305

!dma_mode_1reg   = $00
!dma_mode_2regs  = $01
!dma_mode_fixed  = $08

; Generic DMA on channel 0: mode, B-bus register, 24-bit source, byte count.
macro dma_ch0(mode, bbus, source, size)
	lda.b #<mode>
	sta.w DMAP0
	lda.b #<bbus>
	sta.w BBAD0
	ldx.w #<source>
	stx.w A1T0L
	lda.b #bank(<source>)
	sta.w A1B0
	ldx.w #<size>
	stx.w DAS0L
	lda.b #$01
	sta.w MDMAEN
endmacro

; Copy to VRAM word address <vram>, incrementing after the high byte.
macro dma_to_vram(vram, source, size)
	lda.b #$80
	sta.w VMAIN
	ldx.w #<vram>
	stx.w VMADDL
	%dma_ch0(!dma_mode_2regs, VMADDL+2, <source>, <size>)
endmacro

; Copy to CGRAM starting at colour <index>.
macro dma_to_cgram(index, source, size)
	lda.b #<index>
	sta.w CGADD
	%dma_ch0(!dma_mode_1reg, CGADD+1, <source>, <size>)
endmacro

; Copy to WRAM at a 17-bit address.
macro dma_to_wram(dest, source, size)
	ldx.w #<dest>&$FFFF
	stx.w WMADDL
	lda.b #(<dest>>>16)&$01
	sta.w WMADDH
	%dma_ch0(!dma_mode_1reg, WMADDL-1, <source>, <size>)
endmacro

; Fill VRAM with one word value from a constant in ROM.
macro dma_fill_vram(vram, value_label, size)
	lda.b #$80
	sta.w VMAIN
	ldx.w #<vram>
	stx.w VMADDL
	%dma_ch0(!dma_mode_fixed|!dma_mode_2regs, VMADDL+2, <value_label>, <size>)
endmacro

; Push/pull the registers a DMA routine clobbers.
macro save_regs()
	php
	rep #$30
	pha
	phx
	phy
	phb
	sep #$20
endmacro

macro restore_regs()
	rep #$30
	plb
	ply
	plx
	pla
	plp
endmacro
