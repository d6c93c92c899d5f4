/** Page chrome of the reviewer workspace: styles, navigation, keyboard help. */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Actor } from '../users/actor.js';

const ROLE_LABEL: Record<string, string> = { editor: '编辑', reviewer: '审核员', compliance: '合规审查', admin: '管理员' };

/** The workspace's only style sheet and script, inline; the Content-Security-Policy allows exactly these by hash (UI_INLINE). */
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.6 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f6f7f9}
header{display:flex;gap:18px;align-items:center;padding:10px 20px;background:#8b1a1a;color:#fff}
header a{color:#fff;text-decoration:none}header .who{margin-left:auto;opacity:.9}
main{max-width:1100px;margin:20px auto;padding:0 20px}
h1{font-size:20px;margin:0 0 12px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:7px 9px;border-bottom:1px solid #e3e5e8;text-align:left;vertical-align:top}
tr.sel{outline:2px solid #1f6feb;background:#eef4ff}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;background:#e7e9ec;margin-right:3px}
.badge.block{background:#ffd7d5}.badge.review{background:#fff1c2}.badge.pass{background:#d3f5dd}.badge.high{background:#8b1a1a;color:#fff}
.counts span{margin-right:14px}
.post{background:#fff;padding:16px 20px;border:1px solid #e3e5e8;white-space:pre-wrap;word-break:break-word}
.post h2{margin:0 0 10px;font-size:18px;white-space:pre-wrap}
mark.f{position:relative;padding:0 1px;border-bottom:2px solid;cursor:help}
mark.gate-political{background:#ffd7d5;border-color:#cf222e}
mark.gate-legal{background:#ffe2c2;border-color:#bc4c00}
mark.gate-policy{background:#dbe9ff;border-color:#0969da}
mark.gate-confidentiality{background:#eddcff;border-color:#8250df}
mark.gate-text{background:#fff4b8;border-color:#9a6700}
mark.model{background:#eef1f4;border-bottom:2px dashed #57606a}
.model-raised{color:#9a6700;font-weight:600}
mark.f .tip{display:none;position:absolute;left:0;top:1.7em;z-index:5;min-width:260px;max-width:420px;padding:8px 10px;background:#1f2328;color:#fff;font-size:13px;border-radius:6px;white-space:normal;line-height:1.5}
mark.f .tip+.tip{top:auto}
mark.f:hover .tip,mark.f:focus .tip{display:block}
.actions{margin:14px 0;display:flex;gap:8px;flex-wrap:wrap;align-items:flex-start}
button{font:inherit;padding:5px 12px;border:1px solid #c9ccd1;border-radius:6px;background:#fff;cursor:pointer}
button.primary{background:#1a7f37;color:#fff;border-color:#1a7f37}
button.danger{background:#cf222e;color:#fff;border-color:#cf222e}
kbd{font:12px monospace;padding:0 4px;border:1px solid #c9ccd1;border-radius:3px;background:#f6f8fa}
button kbd{background:transparent;color:inherit;border-color:currentColor}
.flash{padding:8px 12px;margin-bottom:12px;border-radius:6px;background:#fff1c2}
.flash.error{background:#ffd7d5}
#reasonBox{display:none;width:100%;background:#fff;border:1px solid #e3e5e8;padding:12px}
#reasonBox.open{display:block}
textarea{width:100%;min-height:70px;font:inherit}
#help{display:none;position:fixed;right:20px;bottom:20px;background:#fff;border:1px solid #c9ccd1;padding:12px 16px;box-shadow:0 4px 16px #0002}
#help.open{display:block}
ins{background:#d3f5dd;text-decoration:none}del{background:#ffd7d5}
.muted{color:#656d76}
form.inline{display:inline}
textarea.tall{min-height:240px}textarea.taller{min-height:260px}
input.days{width:8em}
#confirmBox{background:#fff;border:1px solid #e3e5e8;padding:8px 12px}#confirmBox.attention{border:2px solid #cf222e;background:#fff1c2}
header form{display:inline}header button.link{padding:0;border:0;background:none;color:#fff;text-decoration:underline;font:inherit}
`;

export function Layout({ title, actor, children }: { title: string; actor: Actor | null; children: Child }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · lastgate 发布审核</title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <header>
          <a href="/ui">
            <b>lastgate 发布审核</b>
          </a>
          {actor && (actor.role === 'reviewer' || actor.role === 'compliance') ? <a href="/ui/queue">审核队列</a> : null}
          {actor ? <a href="/ui/posts">稿件</a> : null}
          {actor && actor.role !== 'reviewer' ? <a href="/ui/cleanup">动态清理</a> : null}
          {actor && (actor.role === 'compliance' || actor.role === 'admin') ? <a href="/ui/rules">规则统计</a> : null}
          {actor && actor.role === 'admin' ? <a href="/ui/admin/accounts">账号</a> : null}
          {actor && actor.role === 'admin' ? <a href="/ui/admin/users">用户</a> : null}
          {actor ? (
            <span class="who">
              {actor.name}（{ROLE_LABEL[actor.role] ?? actor.role}）·{' '}
              <form method="post" action="/ui/logout">
                <button type="submit" class="link" id="logout">
                  退出
                </button>
              </form>
            </span>
          ) : null}
        </header>
        <main>{children}</main>
        <div id="help" role="dialog" aria-label="快捷键">
          <b>快捷键</b>
          <br />
          <kbd>j</kbd>/<kbd>k</kbd> 下一条/上一条 · <kbd>p</kbd> 下一条低风险 · <kbd>Enter</kbd> 打开
          <br />
          <kbd>a</kbd> 通过（最后一次通过须再按 <kbd>a</kbd> 确认） · <kbd>r</kbd> 退回（不予发布） · <kbd>c</kbd> 要求修改 · <kbd>e</kbd> 上报合规
          <br />
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> 提交理由 · <kbd>Esc</kbd> 取消 · <kbd>?</kbd> 显示/隐藏帮助
        </div>
        <script>{raw(KEYS_JS)}</script>
      </body>
    </html>
  );
}

/**
 * Keyboard shortcuts, claims and live counts. Lists mark rows with data-href
 * (queue rows also data-verdict); item pages expose #decide (form), #next/#prev.
 * Keys are ignored while typing. The task page claims only when the reviewer
 * starts writing a reason, renews while it holds the claim, and releases it
 * with a beacon when the page is left without a decision.
 */
const KEYS_JS = `
(function(){
  var rows=[].slice.call(document.querySelectorAll('tr[data-href]'));
  var sel=0,moved=false;function show(){moved=true;rows.forEach(function(r,i){r.classList.toggle('sel',i===sel)});if(rows[sel])rows[sel].scrollIntoView({block:'nearest'});}
  if(rows.length){show();moved=false;}
  function nextPass(){for(var n=moved?1:0;n<=rows.length;n++){var i=(sel+n)%rows.length;if(rows[i].dataset.verdict==='pass'){sel=i;show();return;}}}
  var form=document.getElementById('decide');var box=document.getElementById('reasonBox');
  var submitting=false;document.addEventListener('submit',function(){submitting=true;},true);
  var renewer=null;
  function hold(){if(!form||renewer)return;form.dataset.held='1';renewer=setInterval(function(){fetch(form.dataset.renew,{method:'POST',credentials:'same-origin'}).then(function(r){if(!r.ok){clearInterval(renewer);renewer=null;form.dataset.held='';}})},4*60*1000);}
  function refuse(msg){form.dataset.disabled='1';var d=document.createElement('div');d.className='flash error';d.id='claimError';d.textContent=msg;form.prepend(d);[].forEach.call(form.querySelectorAll('button'),function(b){b.disabled=true});}
  function claim(){if(!form||form.dataset.held||form.dataset.claiming)return;form.dataset.claiming='1';fetch(form.dataset.claim,{method:'POST',credentials:'same-origin'}).then(function(r){return r.json().then(function(j){if(r.ok){hold();}else{refuse('无法认领：'+(j.error||r.status));}});}).finally(function(){delete form.dataset.claiming;});}
  if(form&&form.dataset.held)hold();
  addEventListener('pagehide',function(){if(form&&form.dataset.held&&!submitting&&navigator.sendBeacon)navigator.sendBeacon(form.dataset.release);});
  function ask(decision,label){if(!form)return;form.elements.decision.value=decision;box.classList.add('open');document.getElementById('reasonLabel').textContent=label;form.elements.reason.focus();claim();}
  var confirmBox=document.getElementById('confirmBox');
  function needsConfirm(){return form&&form.dataset.confirmLast&&form.elements.decision.value==='approve'&&!form.elements.confirm.checked;}
  if(form)form.addEventListener('submit',function(ev){if(needsConfirm()){ev.preventDefault();submitting=false;confirmBox.classList.add('attention');form.elements.confirm.focus();}});
  function approve(){if(!form)return;form.elements.decision.value='approve';if(needsConfirm()&&confirmBox.classList.contains('attention')){form.elements.confirm.checked=true;}form.requestSubmit();}
  document.addEventListener('keydown',function(ev){
    var t=ev.target,typing=/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)&&!(t.type==='checkbox');
    if(typing){
      if(ev.key==='Escape'){box&&box.classList.remove('open');t.blur();}
      if(ev.key==='Enter'&&(ev.ctrlKey||ev.metaKey)&&form){ev.preventDefault();form.requestSubmit();}
      return;
    }
    if(ev.ctrlKey||ev.metaKey||ev.altKey)return;
    var k=ev.key;
    if(k==='?'){document.getElementById('help').classList.toggle('open');return;}
    if(rows.length){
      if(k==='j'){sel=Math.min(rows.length-1,sel+1);show();return;}
      if(k==='k'){sel=Math.max(0,sel-1);show();return;}
      if(k==='p'){nextPass();return;}
      if(k==='Enter'||k==='o'){location.href=rows[sel].dataset.href;return;}
    }
    var next=document.getElementById('next'),prev=document.getElementById('prev');
    if(k==='j'&&next){location.href=next.href;return;}
    if(k==='k'&&prev){location.href=prev.href;return;}
    if(!form||form.dataset.disabled)return;
    if(k==='a'){ev.preventDefault();approve();}
    else if(k==='r'){ev.preventDefault();ask('reject','退回（不予发布）理由');}
    else if(k==='c'){ev.preventDefault();ask('request_changes','要求修改的内容');}
    else if(k==='e'){ev.preventDefault();ask('escalate','上报合规审查的原因');}
  });
  document.querySelectorAll('[data-reason-template]').forEach(function(s){s.addEventListener('change',function(){if(s.value){form.elements.reason.value=s.value;}})});
  document.querySelectorAll('button[data-ask]').forEach(function(b){b.addEventListener('click',function(){ask(b.dataset.ask,b.dataset.label)})});
  document.querySelectorAll('button[data-decision]').forEach(function(b){b.addEventListener('click',function(){form.elements.decision.value=b.dataset.decision})});
  var counts=document.getElementById('counts');
  if(counts&&counts.dataset.counts){setInterval(function(){fetch(counts.dataset.counts,{credentials:'same-origin'}).then(function(r){return r.ok?r.json():null}).then(function(c){if(!c)return;document.getElementById('count-total').textContent=c.total;document.getElementById('count-pass').textContent=c.pass;document.getElementById('count-high').textContent=c.high;if(String(c.total)!==counts.dataset.total)document.getElementById('queue-changed').hidden=false;});},20*1000);}
})();
`;

/** The inline style sheet and script every page carries, for the Content-Security-Policy's hashes (http/security-headers.ts). */
export const UI_INLINE = { style: CSS, script: KEYS_JS };
