; expect: ok
; Flag and register transfer instructions.
org $008000
	clc                 ; implied
	cld                 ; implied
	cli                 ; implied
	clv                 ; implied
	sec                 ; implied
	sed                 ; implied
	sei                 ; implied
	tax                 ; implied
	tay                 ; implied
	tcd                 ; implied
	tcs                 ; implied
	tdc                 ; implied
	tsc                 ; implied
	tsx                 ; implied
	txa                 ; implied
	txs                 ; implied
	txy                 ; implied
	tya                 ; implied
	tyx                 ; implied
	xba                 ; implied
	xce                 ; implied
