; bug: dma-vram-setup line 21
; DMA to VMDATA without setting VMAIN ($2115) or the VRAM address ($2116)

lorom

org $0DE000
; Upload the expanded font to VRAM.
UploadFont:
    php
    rep #$20
    sep #$10
    lda #$1801
    sta $4300
    lda.w #FontGfx
    sta $4302
    ldx.b #FontGfx>>16
    stx $4304
    lda #$0800
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl

FontGfx:
    fillbyte $FF : fill $800
