// Chapter 2 of "The Crown and the Gate", the same story as chapter-2.json written in Ink.
// Variables rel_* are relationship scores, flag_* are flags (they start from the player's).
VAR rel_liam = 0
VAR rel_drake = 0
VAR flag_bribed_guard = false
VAR flag_found_passage = false
VAR flag_knows_secret = false

-> ballroom

=== ballroom ===
# scene:ballroom # bg:cdn.example.com/bg/ballroom.jpg # music:cdn.example.com/music/waltz.mp3
A hundred candles. A thousand whispers.
Liam: You came. Dance with me? #expr:hopeful
* [Take Liam's hand. #id:dance_liam]
  ~ rel_liam += 5
  -> balcony
* [Ask the guard captain instead. #id:dance_drake]
  ~ rel_drake += 5
  -> balcony

=== balcony ===
# scene:balcony # bg:cdn.example.com/bg/balcony_night.jpg
Later, on the balcony, the music is only an echo.
Liam: There is something I should tell you. #expr:serious
* [Listen. #id:listen] -> night_end
* {rel_liam >= 15} [Tell him you already know who he is. #id:confess]
  ~ rel_liam += 5
  ~ flag_knows_secret = true
  -> liam_secret
* {flag_bribed_guard} [Signal Drake: he owes you. #id:remind_guard] -> guard_favor
* [Follow the draught to a hidden door (25 Diamonds) #id:passage #cost:25]
  ~ flag_found_passage = true
  -> passage

=== liam_secret ===
# music:cdn.example.com/music/romance.mp3
Liam: You knew all along. And you still treated me like a person. #expr:moved
-> night_end

=== guard_favor ===
Drake: The Prince's uncle is watching you. Be careful tonight. #expr:stern
-> night_end

=== passage ===
# bg:cdn.example.com/bg/secret_passage.jpg
Behind the tapestry, stone steps lead down into the dark.
-> night_end

=== night_end ===
# scene:night_end # bg:cdn.example.com/bg/ballroom.jpg
Liam: Tomorrow the council meets. Whatever happens, stay close. #expr:serious
-> END
