; expect: error Esnes_address_doesnt_map_to_rom
; WRAM ($7E) does not map to ROM in LoROM.
lorom
org $7E2000
	db 1
