// Boot: sign-in (GET /v1/me with the pasted token), the pages the role may
// open, the language switch, and rendering the page the URL names.
// document.body's data-state (loading, ready, error) and data-view say
// what the page shows, for people using assistive technology and for the
// browser tests alike.
"use strict";
(function () {
  const PAGES = [["overview", "navOverview"], ["subject", "navSubject"], ["register", "navRegister"]];
  let me = null;
  let generation = 0;

  function chrome() {
    document.documentElement.lang = L.lang;
    document.getElementById("app-title").textContent = L.t("title");
    document.getElementById("app-subtitle").textContent = L.t("subtitle");
    document.querySelector(".skip").textContent = L.t("skip");
    const lang = document.getElementById("lang");
    lang.textContent = L.lang === "lv" ? "English" : "Latviešu";
    lang.setAttribute("lang", L.lang === "lv" ? "en" : "lv");
    const out = document.getElementById("signout");
    out.textContent = L.t("signOut");
    out.hidden = !me;
    document.getElementById("whoami").textContent = me ? L.t("signedInAs", { name: me.name, role: L.t("role_" + me.role) }) : "";
    const nav = document.getElementById("nav");
    nav.textContent = "";
    if (!me) return;
    const current = L.route().name;
    for (const [name, key] of PAGES) {
      if (L.views[name].dpoOnly && me.role !== "dpo") continue;
      nav.appendChild(L.h("a", { href: "#/" + name, "aria-current": current === name ? "page" : null }, L.t(key)));
    }
  }

  function signIn(root) {
    const token = L.h("input", { type: "password", id: "token", autocomplete: "off", required: true, "aria-describedby": "token-help" });
    const form = L.h("form", { class: "controls", id: "signin" },
      L.h("label", {}, L.t("token"), token), L.h("button", { type: "submit" }, L.t("signIn")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      sessionStorage.setItem("lineage-token", token.value.trim());
      await start();
    });
    L.append(root, L.h("section", { class: "card narrow" }, L.h("h2", {}, L.t("signInTitle")),
      L.h("p", { class: "muted", id: "token-help" }, L.t("signInHelp")), form));
    token.focus();
  }

  // render draws the page of the URL; a newer render supersedes it.
  L.render = async function () {
    const mine = ++generation;
    const root = document.getElementById("view");
    root.textContent = "";
    L.showError(null);
    L.setState("loading");
    chrome();
    const { name, params } = L.route();
    if (!me) {
      document.body.dataset.view = "signin";
      signIn(root);
      L.setState("ready");
      return;
    }
    const view = L.views[name] || L.views[me.role === "dpo" ? "overview" : "subject"];
    const viewName = L.views[name] ? name : (me.role === "dpo" ? "overview" : "subject");
    document.body.dataset.view = viewName;
    document.title = view.title() + " · " + L.t("title");
    const began = performance.now();
    try {
      const box = L.h("div", {});
      await view.render(box, params);
      if (mine !== generation) return;
      root.appendChild(box);
      L.setState("ready");
    } catch (err) {
      if (mine !== generation) return;
      if (view.dpoOnly && me.role !== "dpo") {
        root.appendChild(L.h("section", { class: "card refused", id: "refused" }, L.h("h2", {}, view.title()), L.h("p", {}, L.t("dpoOnly"))));
      }
      L.showError(err);
      L.setState("error");
    }
    document.body.dataset.renderMs = String(Math.round(performance.now() - began));
  };

  async function start() {
    me = null;
    if (L.token()) {
      try {
        const [who, taxonomy] = await Promise.all([L.api("/v1/me"), L.api("/v1/taxonomy")]);
        taxonomy.index = {};
        for (const [list, terms] of Object.entries(taxonomy)) {
          if (!Array.isArray(terms)) continue;
          taxonomy.index[list] = Object.fromEntries(terms.map((x) => [x.code, x]));
        }
        L.taxonomy = taxonomy;
        me = who;
      } catch (err) {
        sessionStorage.removeItem("lineage-token");
        await L.render();
        L.showError(err);
        L.setState("error");
        return;
      }
    }
    await L.render();
  }

  document.getElementById("signout").addEventListener("click", () => {
    sessionStorage.removeItem("lineage-token");
    me = null;
    L.taxonomy = null;
    history.replaceState(null, "", location.pathname);
    L.render();
  });
  document.getElementById("lang").addEventListener("click", () => {
    L.lang = L.lang === "lv" ? "en" : "lv";
    localStorage.setItem("lineage-lang", L.lang);
    L.render();
  });
  // The skip link moves the focus; following "#main" would change the route.
  document.querySelector(".skip").addEventListener("click", (ev) => {
    ev.preventDefault();
    document.getElementById("main").focus();
  });
  window.addEventListener("hashchange", () => L.render());
  start();
})();
